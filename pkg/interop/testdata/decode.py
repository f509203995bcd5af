#!/usr/bin/env python3
"""Decode one Confluent-framed Avro value with a non-Go Avro implementation.

Usage: decode.py REGISTRY_URL < value.bin

Reads the Kafka record value from stdin (magic byte 0, 4-byte big-endian
schema id, Avro binary), fetches the writer schema by id from the
Confluent-compatible registry (GET REGISTRY_URL/schemas/ids/ID), decodes the
datum with Apache Avro's Python DatumReader, and prints
{"schemaId": ID, "record": {...}} as JSON. Timestamps are printed as
milliseconds since the epoch, decimals and bytes as text.
"""
import base64
import datetime
import decimal
import io
import json
import struct
import sys
import urllib.request

import avro.io
import avro.schema

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def parse_schema(text):
    # avro >= 1.10 has avro.schema.parse; avro-python3 (1.9/1.10) had Parse.
    parse = getattr(avro.schema, "parse", None) or getattr(avro.schema, "Parse")
    return parse(text)


def plain(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return (value - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError("cannot print %r" % type(value))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: decode.py REGISTRY_URL < value.bin")
    registry = sys.argv[1].rstrip("/")
    data = sys.stdin.buffer.read()
    if len(data) < 5 or data[0] != 0:
        sys.exit("decode.py: not Confluent framing (magic byte 0 + 4-byte id)")
    schema_id = struct.unpack(">I", data[1:5])[0]
    with urllib.request.urlopen("%s/schemas/ids/%d" % (registry, schema_id), timeout=10) as resp:
        schema = parse_schema(json.load(resp)["schema"])
    payload = io.BytesIO(data[5:])
    record = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(payload))
    if payload.tell() != len(data) - 5:
        sys.exit("decode.py: %d trailing bytes after the datum" % (len(data) - 5 - payload.tell()))
    json.dump({"schemaId": schema_id, "record": record}, sys.stdout, default=plain, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
