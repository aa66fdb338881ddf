"""sqlfluff stand-ins for dbt's cross-database macros (`dbt.dateadd(...)` and friends).

sqlfluff's jinja templater knows nothing of dbt's `dbt` namespace; these render plausible SQL so the
linter can parse the models. They are for linting only, never for running.
"""

from __future__ import annotations


def _call(name, *args):
    return f"{name}({', '.join(str(a) for a in args)})"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"dateadd({datepart}, {interval}, {from_date_or_timestamp})"


def datediff(first_date, second_date, datepart):
    return f"datediff({datepart}, {first_date}, {second_date})"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def safe_cast(field, type):
    return f"cast({field} as {type})"


def cast(field, type):
    return f"cast({field} as {type})"


def split_part(string_text, delimiter_text, part_number):
    return f"split_part({string_text}, {delimiter_text}, {part_number})"


def concat(fields):
    return f"concat({', '.join(str(f) for f in fields)})"


def position(substring_text, string_text):
    return f"position({substring_text} in {string_text})"


def hash(field):
    return f"md5(cast({field} as varchar))"


def string_literal(value):
    return f"'{value}'"


def current_timestamp():
    return "current_timestamp"


def type_string():
    return "varchar"


def type_int():
    return "integer"


def type_bigint():
    return "bigint"


def type_float():
    return "float"


def type_boolean():
    return "boolean"


def type_timestamp():
    return "timestamp"


def type_numeric():
    return "numeric(28, 6)"


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return lambda *args, **kwargs: _call(name, *args)
