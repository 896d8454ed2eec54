from django.http import HttpRequest, HttpResponse


def record_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("records")
