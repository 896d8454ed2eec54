from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "aigak.questionnaires"
    label = "questionnaires"
