"""sqlfluff stand-in for dbt's `adapter` (linting only): `adapter.dispatch('m')(args)` renders `m(args)`,
`adapter.get_columns_in_relation(r)` returns two columns."""

from __future__ import annotations


def dispatch(macro_name, macro_namespace=None):
    def render(*args, **kwargs):
        values = [str(a) for a in args] + [str(v) for v in kwargs.values()]
        return f"{macro_name}({', '.join(values)})"

    return render


def quote(identifier):
    return f'"{identifier}"'


class _Column:
    def __init__(self, name):
        self.name = name


def get_columns_in_relation(relation):
    """Two plausible columns, so a model that compares a relation's columns lints as SQL."""
    return [_Column("order_line_id"), _Column("order_id")]
