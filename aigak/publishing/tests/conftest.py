import pytest
from django.core.cache import cache

from aigak.publishing import memorial


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    memorial._BUILT.clear()
    yield
    cache.clear()
    memorial._BUILT.clear()
