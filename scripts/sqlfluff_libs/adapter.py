"""sqlfluff stand-in for dbt's `adapter` (linting only): `adapter.dispatch('m')(args)` renders `m(args)`."""

from __future__ import annotations


def dispatch(macro_name, macro_namespace=None):
    def render(*args, **kwargs):
        values = [str(a) for a in args] + [str(v) for v in kwargs.values()]
        return f"{macro_name}({', '.join(values)})"

    return render


def quote(identifier):
    return f'"{identifier}"'
