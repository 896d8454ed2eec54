"""What the API reads and writes, for validation and the schema. Answers are a JSON
object keyed by field name, in the stored shapes of docs/cli-contract (numbers, strings,
`YYYY-MM-DD`, ISO 8601, lists of choice names, null)."""

from __future__ import annotations

from rest_framework import serializers

from aigak.records.models import Status

ANSWERS_HELP = "answers keyed by field name, in their stored shapes"


class RecordSerializer(serializers.Serializer):
    record_id = serializers.CharField()
    questionnaire = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.values)
    version = serializers.IntegerField()
    form_version = serializers.IntegerField()
    person = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    answers = serializers.DictField(help_text=ANSWERS_HELP)


class RecordPageSerializer(serializers.Serializer):
    results = RecordSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="the cursor of the next page")
    next_url = serializers.CharField(allow_null=True)


class RecordCreateSerializer(serializers.Serializer):
    record_id = serializers.CharField(required=False, max_length=64)
    status = serializers.ChoiceField(choices=Status.values, required=False)
    answers = serializers.DictField(help_text=ANSWERS_HELP)


class RecordUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="the version this update is based on; 409 if it is stale"
    )
    status = serializers.ChoiceField(choices=Status.values, required=False)
    answers = serializers.DictField(required=False, help_text="only the fields to change")
    merge = serializers.BooleanField(
        required=False,
        default=False,
        help_text="on a stale version, merge field by field as the edit page does "
        "(409 only for fields both changed)",
    )
    note = serializers.CharField(required=False, max_length=200, allow_blank=True)


class DeleteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField()
    form_version = serializers.IntegerField()
    author = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    note = serializers.CharField()


class VersionDetailSerializer(VersionSerializer):
    answers = serializers.DictField()


class DifferenceSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class DiffSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    compared_with = serializers.IntegerField(allow_null=True)
    differences = DifferenceSerializer(many=True)
