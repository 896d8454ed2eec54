"""Pages of the record list that cost the same on the first page and at 100,000 records.

Django's Paginator counts every match for each page view: at 100,000 records that count
was most of the list's time. Here the count stops at COUNT_CAP ("more than 1,000
records"); past it the pager offers "next" while rows remain, without a total.

The count also chooses how a list narrowed by search or filters is read. With many
matches, walking the list's index in order finds a page of them in a few rows. With few,
that walk would read the whole index (PostgreSQL took 8 s for one record id: it checked
the words of every record on the way); then the page is taken from all the matches,
found through the search or filter index and sorted (`few_order`).

Deep pages skip thousands of rows: the ids of the page are found first, from the index
alone, then only those rows are read (PostgreSQL read every skipped row whole).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet

COUNT_CAP = 1_000
DEEP = 1_000  # rows skipped from which a page is found by its ids first


class CappedPage(Page):
    more = False  # whether a row follows this page (known when the count was capped)

    def has_next(self) -> bool:
        if getattr(self.paginator, "capped", False):
            return self.more
        return super().has_next()


class CappedPaginator(Paginator):
    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int,
        *,
        narrowed: bool,
        few_order: list[Any] | None = None,
        cap: int = COUNT_CAP,
    ) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.cap = cap
        self.narrowed = narrowed
        self.few_order = few_order  # the same order in terms no index serves

    @cached_property
    def count(self) -> int:
        """The number of matches, or cap + 1 when there are more than cap.

        A whole list is counted in its order: the database reads the first cap + 1
        entries of the index that serves that order. A list narrowed by search or filters
        is counted from its matches, without order, as few matches would otherwise mean
        reading that whole index to find them.
        """
        rows = self.queryset if not self.narrowed else self.queryset.order_by()
        return int(rows[: self.cap + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            value = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if value < 1:
            raise EmptyPage("That page number is less than 1")
        return value

    def page(self, number: Any) -> CappedPage:
        number = self.validate_number(number)
        if not self.capped:
            if self.narrowed and self.few_order:
                self.queryset = self.queryset.order_by(*self.few_order)
                self.object_list = self.queryset
            return super().page(number)  # type: ignore[return-value]
        bottom = (number - 1) * self.per_page
        rows = list(self._rows(bottom, bottom + self.per_page + 1))
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        page = CappedPage(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def _rows(self, bottom: int, top: int) -> Any:
        if bottom < DEEP:
            return self.queryset[bottom:top]
        ids = self.queryset.values("pk")[bottom:top]
        return self.queryset.filter(pk__in=ids)

    def get_page(self, number: Any) -> CappedPage:
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(1 if self.capped else self.num_pages)

    def _get_page(self, *args: Any, **kwargs: Any) -> CappedPage:
        return CappedPage(*args, **kwargs)
