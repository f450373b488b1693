"""The API's JSON items in the form drift reads them, without building protobuf messages.

A list answer used to take a long way round: the client library parsed the JSON into
protobuf messages (`json_format.Parse`), and drift turned each message back into a dict
(`MessageToDict`), the form every normalizer reads. That round trip cost about 17 ms of
CPU per page of 50 Cloud Run services, more than everything else drift does with them.

`canonical_items` gives the same dicts straight from the JSON the guard has already
decoded (drift/collectors/guard.py takes the items out of the answer before the client
reads the rest, which still goes through the client): each item is checked against the
message's descriptor, field by field, and is returned as `MessageToDict(Parse(item))`
would give it: camelCase names, unknown fields and fields at their default value dropped,
64-bit integers as strings, Timestamps and Durations in their canonical spelling.

Only values that are already in that final form are handled here. Anything else (a
number sent as a string, an enum as its number, a Timestamp with an offset, a float, a
Struct, a field under its proto name, a type error) sends that item through the official
`json_format` round trip, so the result, or the ParseError a malformed answer raises
(which the retry layer reports as JSON the client library could not read), is exactly
the library's. tests/test_protojson.py holds the two ways equal on every world and on
mutated answers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
from collections.abc import Callable
from typing import Any

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor

#: What a field's value converts to when it is to be left out (proto3 default, no presence).
_DROP: Any = object()


class _Slow(Exception):
    """This item is not in final form: let the official json_format round trip do it."""


Convert = Callable[[Any], Any]

_INT32 = (-(2**31), 2**31 - 1)
_UINT32 = (0, 2**32 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_UINT64 = (0, 2**64 - 1)
_RANGES = {
    FieldDescriptor.TYPE_INT32: _INT32,
    FieldDescriptor.TYPE_SINT32: _INT32,
    FieldDescriptor.TYPE_SFIXED32: _INT32,
    FieldDescriptor.TYPE_UINT32: _UINT32,
    FieldDescriptor.TYPE_FIXED32: _UINT32,
    FieldDescriptor.TYPE_INT64: _INT64,
    FieldDescriptor.TYPE_SINT64: _INT64,
    FieldDescriptor.TYPE_SFIXED64: _INT64,
    FieldDescriptor.TYPE_UINT64: _UINT64,
    FieldDescriptor.TYPE_FIXED64: _UINT64,
}
_WIDE = {
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_SFIXED64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_FIXED64,
}
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)")
# Timestamp.ToJsonString: UTC, `Z`, and 0, 3, 6 or 9 digits of fraction (the fewest that
# hold the nanoseconds); Duration the same with an `s`.
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]{3}|[0-9]{6}|[0-9]{9}))?Z"
)
_DURATION = re.compile(r"(-?)(0|[1-9][0-9]{0,11})(?:\.([0-9]{3}|[0-9]{6}|[0-9]{9}))?s")
_DURATION_MAX_S = 315_576_000_000


def _fraction_ok(frac: str | None) -> bool:
    """A fraction as ToJsonString writes it: never one that a shorter form would hold."""
    return frac is None or not frac.endswith("000")


def _timestamp(value: Any) -> str:
    if type(value) is not str:
        raise _Slow
    m = _TIMESTAMP.fullmatch(value)
    if m is None or not _fraction_ok(m.group(7)):
        raise _Slow
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    if second > 59:
        raise _Slow  # leap seconds: the library's own rules
    try:
        dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise _Slow from None
    return value


def _duration(value: Any) -> str:
    if type(value) is not str:
        raise _Slow
    m = _DURATION.fullmatch(value)
    if m is None or not _fraction_ok(m.group(3)):
        raise _Slow
    sign, seconds, frac = m.groups()
    if int(seconds) > _DURATION_MAX_S or (sign and seconds == "0" and frac is None):
        raise _Slow
    return value


_WELL_KNOWN: dict[str, Convert] = {
    "google.protobuf.Timestamp": _timestamp,
    "google.protobuf.Duration": _duration,
}


def _scalar(field: FieldDescriptor) -> Convert:
    """The converter of one scalar value (no presence rules: those are the caller's)."""
    t = field.type
    if t == FieldDescriptor.TYPE_STRING:

        def string(v: Any) -> Any:
            if type(v) is not str:
                raise _Slow
            return v

        return string
    if t == FieldDescriptor.TYPE_BOOL:

        def boolean(v: Any) -> Any:
            if type(v) is not bool:
                raise _Slow
            return v

        return boolean
    if t in _RANGES:
        low, high = _RANGES[t]
        wide = t in _WIDE

        def integer(v: Any) -> Any:
            if type(v) is int:
                n = v
            elif wide and type(v) is str and _DECIMAL.fullmatch(v):
                n = int(v)
            else:
                raise _Slow  # "5" for an int32, 5.0, true: the library decides
            if not low <= n <= high:
                raise _Slow
            return str(n) if wide else n

        return integer
    if t == FieldDescriptor.TYPE_DOUBLE:

        def double(v: Any) -> Any:
            if type(v) is float or type(v) is int:
                try:
                    x = float(v)
                except OverflowError:
                    raise _Slow from None
                if x and math.isfinite(x):
                    return x
            raise _Slow  # 0 (its sign), NaN, Infinity, strings: the library decides

        return double
    if t == FieldDescriptor.TYPE_ENUM:
        enum = field.enum_type
        names = {v.name for v in enum.values}
        if any(v.has_options for v in enum.values) or not names:
            # JSON names of their own (pb.enumvalue.json): the library's rules.
            def custom(v: Any) -> Any:
                raise _Slow

            return custom

        def enum_name(v: Any) -> Any:
            if type(v) is not str or v not in names:
                raise _Slow  # a number, or a name this library does not know
            return v

        return enum_name

    def other(v: Any) -> Any:  # bytes, float (32-bit), groups: the library's rules
        raise _Slow

    return other


_NO_DEFAULT: Any = object()  # a field with presence: kept whatever its value


def _default(field: FieldDescriptor) -> Any:
    """The converted value MessageToDict leaves out for a proto3 field without presence
    (64-bit integers are strings, enums names), or _NO_DEFAULT when it has presence."""
    if field.has_presence or field.is_repeated or field.type == FieldDescriptor.TYPE_MESSAGE:
        return _NO_DEFAULT
    t = field.type
    if t == FieldDescriptor.TYPE_ENUM:
        return field.enum_type.values_by_number[0].name
    if t in _WIDE:
        return "0"
    if t == FieldDescriptor.TYPE_STRING:
        return ""
    if t == FieldDescriptor.TYPE_BOOL:
        return False
    return 0  # 32-bit integers (doubles at 0 are left to the library: the sign of zero)


class _Field:
    """How one field of a message converts."""

    __slots__ = ("convert", "default", "json_name", "null_is_unset", "oneof")

    def __init__(self, field: FieldDescriptor) -> None:
        self.json_name = field.json_name
        oneof = field.containing_oneof
        self.oneof = oneof.name if oneof is not None else None
        # JSON null leaves a field unset, except a google.protobuf.Value (or NullValue)
        # field, which it sets to null.
        kind = field.message_type or field.enum_type
        special = ("google.protobuf.Value", "google.protobuf.NullValue")
        self.null_is_unset = field.is_repeated or kind is None or kind.full_name not in special
        self.default = _default(field)
        self.convert = _field_converter(field)


def _field_converter(field: FieldDescriptor) -> Convert:
    is_map = (
        field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.GetOptions().map_entry
    )
    if is_map:
        key = field.message_type.fields_by_name["key"]
        value_field = field.message_type.fields_by_name["value"]
        if key.type != FieldDescriptor.TYPE_STRING:

            def other_keys(v: Any) -> Any:
                raise _Slow  # integer and bool keys are written as strings

            return other_keys
        value_convert = _element(value_field)

        def mapping(v: Any) -> Any:
            if type(v) is not dict:
                raise _Slow
            if not v:
                return _DROP
            out = {}
            for k, item in v.items():
                if item is None:
                    raise _Slow
                out[k] = value_convert(item)
            return out

        return mapping
    element = _element(field)
    if field.is_repeated:

        def repeated(v: Any) -> Any:
            if type(v) is not list:
                raise _Slow
            if not v:
                return _DROP
            if None in v:
                raise _Slow
            return [element(item) for item in v]

        return repeated
    return element


def _element(field: FieldDescriptor) -> Convert:
    """One value of the field (an item of a list, a value of a map, or the field itself)."""
    if field.type != FieldDescriptor.TYPE_MESSAGE:
        return _scalar(field)
    name = field.message_type.full_name
    if name in _WELL_KNOWN:
        return _WELL_KNOWN[name]
    if name.startswith("google.protobuf."):

        def well_known(v: Any) -> Any:
            raise _Slow  # Struct, Value, Any, wrappers, FieldMask: the library's rules

        return well_known
    descriptor = field.message_type
    found: list[_Plan] = []  # the message type's plan, looked up at first use

    def message(v: Any) -> Any:
        if not found:
            found.append(_plan(descriptor))
        return found[0].convert(v)

    return message


class _Plan:
    """How one message type converts: its fields by JSON name. Sub-messages' plans are
    looked up when first met, so a type may contain itself."""

    def __init__(self, descriptor: Descriptor) -> None:
        self.proto_names = {f.name for f in descriptor.fields if f.name != f.json_name}
        self.fields = {f.json_name: _Field(f) for f in descriptor.fields}
        self.oneofs = any(f.oneof is not None for f in self.fields.values())
        # The library counts a oneof by its name among the JSON keys seen: a field named
        # like a oneof of its message would confuse the two.
        self.slow = bool(set(self.fields) & set(descriptor.oneofs_by_name))

    def convert(self, value: Any) -> dict[str, Any]:
        if type(value) is not dict or self.slow:
            raise _Slow
        out: dict[str, Any] = {}
        oneofs: set[str] | None = set() if self.oneofs else None
        fields = self.fields
        for key, item in value.items():
            spec = fields.get(key)
            if spec is None:
                if key in self.proto_names or key.startswith("["):
                    raise _Slow  # a proto field name or an extension: the library's rules
                continue  # unknown to this library version: dropped, as the library does
            if item is None:
                if not spec.null_is_unset:
                    raise _Slow
                continue  # null: the field is not set
            if oneofs is not None and spec.oneof is not None:
                if spec.oneof in oneofs:
                    raise _Slow  # two fields of one oneof: the library raises
                oneofs.add(spec.oneof)
            got = spec.convert(item)
            if got is _DROP:
                continue
            default = spec.default
            if default is not _NO_DEFAULT and got == default and type(got) is type(default):
                continue  # proto3: a field without presence at its default is not sent
            out[spec.json_name] = got
        return out


_PLANS: dict[str, _Plan] = {}
_PLANS_LOCK = threading.Lock()


def _plan(descriptor: Descriptor) -> _Plan:
    """The plan of a message type, built once (worker threads may ask at the same time)."""
    found = _PLANS.get(descriptor.full_name)
    if found is None:
        built = _Plan(descriptor)
        with _PLANS_LOCK:
            found = _PLANS.setdefault(descriptor.full_name, built)
    return found


def _official(item: Any, descriptor: Descriptor) -> dict[str, Any]:
    """The library's own round trip of one item (raises json_format.ParseError)."""
    message = message_factory.GetMessageClass(descriptor)()
    try:
        json_format.ParseDict(item, message, ignore_unknown_fields=True)
    except json_format.ParseError:
        raise
    except Exception as err:  # noqa: BLE001 - as json_format.Parse words any other failure
        raise json_format.ParseError(f"Failed to parse JSON: {type(err).__name__}: {err}.") from err
    out: dict[str, Any] = json_format.MessageToDict(message)
    return out


def canonical_items(items: list[Any], descriptor: Descriptor) -> list[dict[str, Any]]:
    """`MessageToDict(Parse(item))` for each item of a list answer, whose items are
    `descriptor` messages; raises json_format.ParseError where the library would."""
    plan = _plan(descriptor)
    out = []
    for item in items:
        try:
            out.append(plan.convert(item))
        except _Slow:
            out.append(_official(item, descriptor))
    return out


def item_descriptor(response_class: Any, items_field: str) -> Descriptor:
    """The message type of `items_field` (its JSON name) in a list response: a proto-plus
    class (GAPIC clients) or a protobuf one."""
    pb = response_class.pb() if hasattr(response_class, "pb") else response_class
    for field in pb.DESCRIPTOR.fields:
        if field.json_name == items_field and field.message_type is not None:
            descriptor: Descriptor = field.message_type
            return descriptor
    raise KeyError(f"{pb.DESCRIPTOR.full_name} has no list field {items_field!r}")
