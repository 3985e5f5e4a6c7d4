#!/usr/bin/env python3
"""A non-Swift Omnibus client, written from docs/PROTOCOL.md with pyzmq only.

Run against an `omnibus-probe produce` service that has already committed --expect events:
it subscribes, replays, checks every envelope field, follows the live stream, sends
commands (DEALER and REQ), retries one by request id, and provokes error replies.
Exits 0 when every check passed, 1 with the failed check otherwise.
"""
import argparse
import json
import re
import sys
import uuid

import zmq

ENVELOPE_FIELDS = {"id": str, "source": str, "sequence": int, "type": str, "schemaVersion": int,
                   "occurredAt": str, "data": dict}
OPTIONAL_FIELDS = {"customerId", "channel", "correlationId", "causationId"}
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
checks = 0


def check(condition, what):
    global checks
    if not condition:
        print(f"interop check failed: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def check_envelope(event, source):
    for field, kind in ENVELOPE_FIELDS.items():
        check(isinstance(event.get(field), kind), f"envelope field {field} is a {kind.__name__}: {event}")
    check(set(event) <= set(ENVELOPE_FIELDS) | OPTIONAL_FIELDS, f"no undocumented fields: {sorted(event)}")
    check(event["source"] == source, "source matches")
    check(TIME.match(event["occurredAt"]) is not None, f"occurredAt is RFC 3339 UTC with ms: {event['occurredAt']}")
    check(all(value is not None for value in event.values()), "absent optionals are left out, not null")


def command(socket, request, timeout_ms=5000):
    socket.send(json.dumps(request).encode())
    check(socket.poll(timeout_ms) != 0, f"reply to {request.get('command')} within {timeout_ms} ms")
    return json.loads(socket.recv_multipart()[-1])


def replay_all(replay, source, after):
    events = []
    while True:
        replay.send(json.dumps({"source": source, "after": after, "limit": 7}).encode())
        check(replay.poll(5000) != 0, "replay reply within 5 s")
        header, *frames = replay.recv_multipart()
        header = json.loads(header)
        check("error" not in header, f"replay succeeded: {header}")
        check(header["count"] == len(frames), "count matches the frames that follow")
        for raw in frames:
            event = json.loads(raw)
            check(event["sequence"] == after + 1, "replayed events follow on with no hole")
            after = event["sequence"]
            events.append(event)
        if after >= header["head"]:
            return events, header["head"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--replay", required=True)
    parser.add_argument("--commands", required=True)
    parser.add_argument("--expect", type=int, required=True, help="events committed before this client starts")
    args = parser.parse_args()
    context = zmq.Context()

    # Subscribe first, then replay (PROTOCOL.md section 4).
    sub = context.socket(zmq.SUB)
    sub.connect(args.events)
    sub.setsockopt(zmq.SUBSCRIBE, f"{args.source}.".encode())
    replay = context.socket(zmq.DEALER)
    replay.connect(args.replay)
    events, head = replay_all(replay, args.source, 0)
    check(len(events) == args.expect and head == args.expect, f"replay returned all {args.expect} events")
    for event in events:
        check_envelope(event, args.source)

    # A command through a DEALER, then its retry with the same id.
    commands = context.socket(zmq.DEALER)
    commands.connect(args.commands)
    request = {"id": str(uuid.uuid4()), "command": "probe.record", "channel": "web", "data": {"payload": "from python"}}
    reply = command(commands, request)
    check(reply["ok"] is True and reply["requestId"] == request["id"], f"command accepted: {reply}")
    sequence = reply["data"]["sequence"]
    check(sequence == args.expect + 1, "the new event got the next sequence")
    check(command(commands, request) == reply, "a retry with the same id gets the same reply")

    # The new event arrives live (heartbeats may come first).
    live = None
    while live is None:
        check(sub.poll(10000) != 0, "live message within 10 s")
        topic, raw = sub.recv_multipart()
        if topic == f"{args.source}._heartbeat".encode():
            beat = json.loads(raw)
            check(beat["source"] == args.source and isinstance(beat["head"], int), "heartbeat fields")
            continue
        event = json.loads(raw)
        check(topic.decode() == f"{event['source']}.{event['type']}", "topic is source.type")
        if event["sequence"] == sequence:
            live = event
    check_envelope(live, args.source)
    check(live["channel"] == "web" and live["causationId"] == request["id"], "channel and causation carried over")
    check(live["data"]["payload"] == "from python", "data as sent")
    check(replay_all(replay, args.source, args.expect)[1] == sequence, "nothing else was appended by the retry")

    # A REQ socket: the empty delimiter is accepted and echoed.
    req = context.socket(zmq.REQ)
    req.connect(args.commands)
    health = command(req, {"id": str(uuid.uuid4()), "command": "service.health", "data": {}})
    check(health["ok"] and health["data"]["head"] == sequence, f"health over REQ: {health}")

    # Errors have codes.
    commands.send(b"{not json")
    check(commands.poll(5000) != 0, "reply to invalid JSON")
    check(json.loads(commands.recv())["error"]["code"] == "invalid_request", "invalid JSON -> invalid_request")
    unknown = command(commands, {"id": str(uuid.uuid4()), "command": "probe.nope", "data": {}})
    check(unknown["error"]["code"] == "unknown_command", "unknown command -> unknown_command")
    replay.send(json.dumps({"source": args.source, "after": sequence + 100}).encode())
    check(replay.poll(5000) != 0, "reply to an out-of-range replay")
    header = json.loads(replay.recv_multipart()[0])
    check(header["error"]["code"] == "out_of_range" and header["count"] == 0, "replay beyond head -> out_of_range")

    print(f"interop: {checks} checks passed")
    context.destroy(linger=0)


if __name__ == "__main__":
    main()
