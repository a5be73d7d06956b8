#!/usr/bin/env python3
"""Generates seeds/twilio-busy-hour.ndjson: a small Flex multi-call contact centre's busy hour as it reaches
teamsview.

Event Streams CloudEvents (TaskRouter, snake_case payloads, attributes as JSON strings), Voice conference
status callbacks (JSON objects of string fields, RFC 2822 whole-second timestamps, FriendlyName = the task
sid, no ParticipantLabel; one of them delivered through Event Streams as a
`com.twilio.voice.status-callback.conference.participant.updated` CloudEvent) and the companion Flex
plugin's native lines (`call.hold`/`call.resume`/`call.mute`/`call.unmute`, worker = worker sid, call = task
sid, millisecond times): multi-call mutes inside the browser, so mute only ever comes from the plugin.
In time order. Sids, names and numbers are made up. Deterministic: same script, same file.

Covers: activity.created (availability per activity), worker.created, capacity and attribute updates,
activity changes (breaks, going offline), queue calls with holds, wrap-up and completion, a call abandoned
in queue (task.canceled), reservations that time out or are rejected (missed offers), an outbound call,
chat tasks, a conference learned late via task.updated. The hour ends with these in progress:
- a stacked warm transfer: Bruno transfers his caller (same task, task.transfer-initiated WORKER) to Ada,
  who is on a call; the customer is held at transfer start; Ada's client holds her first caller and the
  plugin reports the mute; Bruno wraps up (not on hold);
- a queue transfer (task.transfer-initiated QUEUE) from Gus reaching Chen, already on a call: a misroute;
- Erin's held call with no mute source (mute unknown, not a risk; its hold comes through Event Streams);
- Hana unmuting on a held call (the plugin reports it): wrong-call risk after the grace period;
- Ben's call ended by task.deleted; Gus offered a new call (ringing).

Usage: python3 seeds/tools/twilio_busy_hour.py > seeds/twilio-busy-hour.ndjson      (the recorded hour, 2026-11-25)
       python3 seeds/tools/twilio_busy_hour.py --end now > busy-hour.ndjson           (the same hour, ending now)
"""
import argparse
import hashlib
import json
import random
import sys
from datetime import datetime, timedelta, timezone

parser = argparse.ArgumentParser(description="Writes a Flex multi-call busy hour as NDJSON to standard output.")
parser.add_argument("--end", default="2026-11-25T10:00:00Z",
                    help='when the hour ends: an RFC 3339 time, or "now" to replay it as if it had just happened '
                         '(its scenes are then going on; a recorded day replayed days later shows every call as '
                         'one whose end never arrived)')
arguments = parser.parse_args()
if arguments.end == "now":
    END = datetime.now(timezone.utc).replace(microsecond=0)
else:
    END = datetime.fromisoformat(arguments.end.replace("Z", "+00:00")).astimezone(timezone.utc)
START = END - timedelta(hours=1)
ACCOUNT = "AC" + "0" * 31 + "1"
WORKSPACE = "WS" + "0" * 31 + "1"
rng = random.Random(20261125)


def sid(prefix, *parts):
    return prefix + hashlib.md5("|".join(str(p) for p in parts).encode()).hexdigest()


def at(minutes, seconds=0.0):
    return START + timedelta(minutes=minutes, seconds=seconds)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def rfc2822(t):
    return t.strftime("%a, %d %b %Y %H:%M:%S +0000")


TEAMS = {
    "Billing": ("Billing", ["billing"]),
    "Tech Support": ("Tech Support", ["tech"]),
    "Sales": ("Sales", ["sales"]),
}
WORKERS = [  # login, full name, team, extra skills, voice capacity, chat capacity
    ("ada", "Ada Okafor", "Billing", ["spanish"], 2, 2),
    ("ben", "Ben Carter", "Billing", [], 2, 2),
    ("chloe", "Chloé Martin", "Billing", ["french"], 2, 0),
    ("dev", "Dev Patel", "Billing", [], 1, 2),
    ("bruno", "Bruno Silva", "Tech Support", ["portuguese"], 2, 2),
    ("chen", "Chen Wei", "Tech Support", ["mandarin"], 2, 0),
    ("erin", "Erin Walsh", "Tech Support", [], 2, 2),
    ("farah", "Farah Haddad", "Tech Support", ["arabic"], 2, 0),
    ("gus", "Gus Lindqvist", "Sales", [], 2, 0),
    ("hana", "Hana Sato", "Sales", ["japanese"], 2, 0),
]


class Worker:
    def __init__(self, login, name, team, extra, voice, chat):
        self.login, self.name, self.team = login, name, team
        self.sid = sid("WK", login)
        self.skills = TEAMS[team][1] + extra
        self.voice, self.chat = voice, chat
        self.activities = []  # (time, name)
        self.voice_busy = []  # (start, end) intervals incl. wrap-up
        self.chat_busy = []

    def attributes(self):
        return json.dumps({"full_name": self.name, "team_name": self.team, "email": self.login + "@example.com",
                          "routing": {"skills": self.skills, "levels": {s: 5 for s in self.skills}}},
                          separators=(", ", ": "))

    def activity_at(self, t):
        current = "Offline"
        for when, name in self.activities:
            if when <= t:
                current = name
        return current

    def free_for_voice(self, start, end):
        if any(a < end and start < b for a, b in self.voice_busy):
            return False
        # Available for the whole call: no activity change inside it, Available at its start.
        return self.activity_at(start) == "Available" and not any(start < w < end for w, _ in self.activities)

    def chats_at(self, t):
        return sum(1 for a, b in self.chat_busy if a <= t < b)


workers = [Worker(*w) for w in WORKERS]
by_login = {w.login: w for w in workers}
out = []  # (time, order, kind, object)


def emit(t, kind, obj):
    out.append((t, len(out), kind, obj))


def taskrouter(eventtype, t, worker=None, task=None, **extra):
    payload = {"sid": sid("EV", eventtype, t, len(out)), "eventtype": eventtype, "account_sid": ACCOUNT,
               "timestamp": iso(t), "workspace_sid": WORKSPACE, "workspace_name": "Busy Hour Centre"}
    if worker is not None:
        payload.update({"worker_sid": worker.sid, "worker_name": worker.login, "worker_attributes": worker.attributes(),
                        "worker_activity_name": worker.activity_at(t), "worker_activity_sid": sid("WA", worker.activity_at(t))})
    if task is not None:
        payload.update({"task_sid": task["sid"], "task_attributes": json.dumps(task["attributes"]),
                        "task_channel_unique_name": task["channel"], "task_queue_name": task["queue"],
                        "task_queue_sid": sid("WQ", task["queue"]), "task_priority": 0,
                        "task_age": int((t - task["created"]).total_seconds())})
    payload.update(extra)
    emit(t, "ce", {"specversion": "1.0", "type": "com.twilio.taskrouter." + eventtype,
                   "source": "/v1/Workspaces/" + WORKSPACE, "id": sid("EZ", eventtype, t, len(out)),
                   "dataschema": "https://events-schemas.twilio.com/TaskRouter.WDSEvent/2",
                   "datacontenttype": "application/json", "time": iso(t),
                   "data": {"sid": payload["sid"], "account_sid": ACCOUNT, "timestamp": iso(t), "product_name": "TaskRouter",
                            "level": "INFO", "payload_type": "application/json", "publisher_metadata": "{}",
                            "payload": payload}})


def conference(event, t, task, call, event_streams=False):
    """A conference participant callback; Flex names the conference after the task, sets no labels."""
    obj = {"ConferenceSid": task["conf"], "FriendlyName": task["sid"], "AccountSid": ACCOUNT,
           "Timestamp": rfc2822(t), "StatusCallbackEvent": event, "CallSid": call,
           "Muted": "false", "Hold": "true" if event == "participant-hold" else "false",
           "Coaching": "false", "EndConferenceOnExit": "false", "StartConferenceOnEnter": "true"}
    emit(t, "esconf" if event_streams else "conf", obj)


def plugin(kind, t, worker, task):
    """A line the companion Flex plugin posts from the agent's browser (millisecond clock)."""
    emit(t, "native", {"type": kind, "at": iso(t), "worker": worker.sid, "call": task["sid"]})


def phone():
    return "+1555%07d" % rng.randrange(10 ** 7)


def reservation(eventtype, t, worker, task, **extra):
    taskrouter(eventtype, t, worker, task, reservation_sid=task["reservations"][worker.login],
               task_assignment_status="assigned" if eventtype == "reservation.accepted" else "reserved",
               reservation_status=eventtype.split(".")[1], worker_channel_capacity=worker.voice if task["channel"] == "voice" else worker.chat,
               **extra)


def new_task(channel, queue, created, key, attributes):
    return {"sid": sid("WT", key), "channel": channel, "queue": queue, "created": created, "attributes": attributes,
            "reservations": {}}


def voice_call(worker, queue, arrive, accept, talk, wrap, key, holds=(), mutes=(), direction="inbound",
               late_conference=False, finish=True):
    """Emits one voice task's life for `worker` (up to its acceptance only unless `finish`); returns the task."""
    customer = sid("CA", key, "customer")
    conf = sid("CF", key)
    agent_leg = sid("CA", key, worker.login)
    attrs = {"call_sid": customer, "from": phone() if direction == "inbound" else "+15550000100",
             "to": "+15550000100" if direction == "inbound" else phone(), "direction": direction,
             "name": "caller " + key, "type": "inbound" if direction == "inbound" else "outbound"}
    conference_attrs = {"sid": conf, "participants": {"customer": customer, "worker": agent_leg}}
    if not late_conference:
        attrs["conference"] = conference_attrs
    task = new_task("voice", queue, arrive, key, attrs)
    task.update(conf=conf, customer=customer, agent_leg=agent_leg)
    task["reservations"][worker.login] = sid("WR", key, worker.login)
    taskrouter("task.created", arrive, None, task)
    reservation("reservation.created", accept - timedelta(seconds=rng.uniform(3, 8)), worker, task)
    reservation("reservation.accepted", accept, worker, task)
    if late_conference:
        attrs["conference"] = conference_attrs
        taskrouter("task.updated", accept + timedelta(seconds=2.2), None, task)
    conference("participant-join", accept + timedelta(seconds=1.1), task, customer)
    conference("participant-join", accept + timedelta(seconds=1.4), task, agent_leg)
    for start, length in holds:
        conference("participant-hold", accept + timedelta(seconds=start), task, customer)
        conference("participant-unhold", accept + timedelta(seconds=start + length), task, customer)
    for start, length in mutes:
        # The agent's mute button: the Voice SDK mutes locally; only the plugin sees it.
        plugin("call.mute", accept + timedelta(seconds=start), worker, task)
        plugin("call.unmute", accept + timedelta(seconds=start + length), worker, task)
    if not finish:
        worker.voice_busy.append((accept, END + timedelta(hours=1)))
        return task
    end = accept + timedelta(seconds=talk)
    conference("participant-leave", end, task, customer)
    reservation("reservation.wrapup", end + timedelta(seconds=0.3), worker, task)
    taskrouter("task.wrapup", end + timedelta(seconds=0.35), None, task)
    conference("participant-leave", end + timedelta(seconds=0.6), task, agent_leg)
    done = end + timedelta(seconds=wrap)
    reservation("reservation.completed", done, worker, task)
    taskrouter("task.completed", done + timedelta(seconds=0.05), None, task)
    worker.voice_busy.append((accept, done))
    task.update(end=end, done=done)
    return task


def transfer_fields(task, source, type_, mode, to, status="initiated"):
    return {"task_transfer_sid": sid("TT", task["sid"], to), "transfer_type": type_, "transfer_mode": mode,
            "transfer_to": to, "transfer_initiating_worker_sid": source.sid,
            "transfer_initiating_reservation_sid": task["reservations"][source.login], "transfer_status": status,
            "transfer_started": iso(task["transfer_at"])}


# --- The workspace's activities, then the workforce logs in ------------------------------------------
for i, (name, available) in enumerate([("Available", True), ("Break", False), ("Offline", False)]):
    taskrouter("activity.created", at(-15, i), None, None, activity_sid=sid("WA", name), activity_name=name,
               activity_available=available)
for i, w in enumerate(workers):
    taskrouter("worker.created", at(-10, i * 3.1), w)
    taskrouter("worker.capacity.update", at(-9, i * 2.3), w, task_channel_unique_name="voice", worker_channel_capacity=w.voice,
               worker_channel_available=True)
    if w.chat:
        taskrouter("worker.capacity.update", at(-9, i * 2.3 + 0.5), w, task_channel_unique_name="chat",
                   worker_channel_capacity=w.chat, worker_channel_available=True)
    w.activities.append((at(-2, rng.uniform(0, 240)), "Available"))

for login, start, minutes in [("ben", at(24, 10), 12), ("erin", at(31, 40), 10), ("hana", at(18, 5), 15), ("dev", at(42), 8)]:
    w = by_login[login]
    w.activities += [(start, "Break"), (start + timedelta(minutes=minutes, seconds=rng.uniform(0, 50)), "Available")]
by_login["farah"].activities.append((at(52, 30), "Offline"))
for w in workers:
    w.activities.sort()
    previous = "Offline"
    for t, name in w.activities:
        taskrouter("worker.activity.update", t, w, worker_activity_name=name, worker_activity_sid=sid("WA", name),
                   worker_previous_activity_name=previous, worker_previous_activity_sid=sid("WA", previous))
        previous = name

# Dev gets a second voice slot; Gus learns a skill mid-hour.
dev = by_login["dev"]
dev.voice = 2
taskrouter("worker.capacity.update", at(5, 2), dev, task_channel_unique_name="voice", worker_channel_capacity=2,
           worker_channel_available=True)
gus = by_login["gus"]
gus.skills = gus.skills + ["renewals"]
taskrouter("worker.attributes.update", at(33, 12), gus)

# --- Scripted: an outbound call and a reservation that times out ----------------------------------------
voice_call(by_login["hana"], "Sales", at(6, 30), at(6, 31), 300, 30, "outbound-1", direction="outbound-api")
erin = by_login["erin"]
timeout_task = new_task("voice", "Tech Support", at(8), "timeout-first", {"call_sid": sid("CA", "t1"), "from": phone()})
timeout_task["reservations"]["erin"] = sid("WR", "timeout", "erin")
reservation("reservation.created", at(8, 2), erin, timeout_task)
reservation("reservation.timeout", at(8, 32), erin, timeout_task)
taskrouter("task.canceled", at(8, 50), None, timeout_task, task_canceled_reason="hangup")
ben = by_login["ben"]
rejected_task = new_task("voice", "Billing", at(12, 40), "rejected-first", {"call_sid": sid("CA", "r1"), "from": phone()})
rejected_task["reservations"]["ben"] = sid("WR", "rejected", "ben")
taskrouter("task.created", at(12, 40), None, rejected_task)
reservation("reservation.created", at(12, 44), ben, rejected_task)
reservation("reservation.rejected", at(12, 51), ben, rejected_task)
taskrouter("task.canceled", at(13, 30), None, rejected_task, task_canceled_reason="hangup")

# --- Queue traffic ------------------------------------------------------------------------------------
calls = 0
for queue, mean_gap in [("Billing", 100), ("Tech Support", 110), ("Sales", 200)]:
    t = at(0, rng.uniform(0, 60))
    n = 0
    while t < at(36):  # every queue call is over before the scripted end of the hour
        n += 1
        key = "%s-%d" % (queue.split()[0].lower(), n)
        talk = rng.uniform(100, 400)
        wrap = rng.uniform(15, 60)
        team = [w for w in workers if w.team == queue]
        offered = None
        for wait in range(0, 300, 15):
            accept = t + timedelta(seconds=wait + rng.uniform(4, 9))
            free = [w for w in team if w.free_for_voice(accept - timedelta(seconds=10), accept + timedelta(seconds=talk + wrap))]
            if free:
                offered = (rng.choice(free), accept)
                break
        if offered is None:
            task = new_task("voice", queue, t, key, {"call_sid": sid("CA", key), "from": phone(), "direction": "inbound"})
            taskrouter("task.created", t, None, task)
            taskrouter("task.canceled", t + timedelta(seconds=rng.uniform(60, 240)), None, task, task_canceled_reason="hangup")
        else:
            worker, accept = offered
            holds = [(rng.uniform(30, talk * 0.5), rng.uniform(15, 70))] if rng.random() < 0.35 else []
            mutes = [(rng.uniform(20, talk * 0.6), rng.uniform(5, 20))] if rng.random() < 0.25 else []
            if holds and mutes and mutes[0][0] < holds[0][0] + holds[0][1] and holds[0][0] < mutes[0][0] + mutes[0][1]:
                mutes = []
            voice_call(worker, queue, t, accept, talk, wrap, key, holds=holds, mutes=mutes, late_conference=rng.random() < 0.2)
            calls += 1
        t += timedelta(seconds=rng.expovariate(1 / mean_gap))

# --- Chats --------------------------------------------------------------------------------------------
for n in range(14):
    t = at(rng.uniform(2, 36))
    length = timedelta(minutes=rng.uniform(4, 12))
    candidates = [w for w in workers if w.chat and w.activity_at(t) == "Available" and w.chats_at(t) < w.chat
                  and not any(t < when < t + length for when, _ in w.activities)]
    if not candidates:
        continue
    w = rng.choice(candidates)
    task = new_task("chat", "Chat", t - timedelta(seconds=20), "chat-%d" % n,
                    {"from": "web visitor %d" % (n + 1), "channelType": "web", "conversationSid": sid("CH", n)})
    task["reservations"][w.login] = sid("WR", "chat", n)
    taskrouter("task.created", t - timedelta(seconds=20), None, task)
    reservation("reservation.accepted", t, w, task)
    reservation("reservation.wrapup", t + length, w, task)
    reservation("reservation.completed", t + length + timedelta(seconds=rng.uniform(5, 30)), w, task)
    w.chat_busy.append((t, t + length))

# --- Scripted: the end of the hour, left in progress -------------------------------------------------------
ada, bruno, chen, gus, erin, hana = (by_login[n] for n in ("ada", "bruno", "chen", "gus", "erin", "hana"))
first = voice_call(ada, "Billing", at(49, 40), at(50), 0, 0, "stack-first", finish=False)
chen_first = voice_call(chen, "Tech Support", at(49, 55), at(50, 10), 0, 0, "misroute-first", finish=False)
held_quietly = voice_call(erin, "Tech Support", at(51, 10), at(51, 30), 0, 0, "unknown-mute", finish=False)
hana_call = voice_call(hana, "Sales", at(50, 20), at(50, 40), 0, 0, "unmute-on-hold", finish=False)
# The plugin reports the mic open on acceptance, before the acceptance leaves the decoder's reorder window.
plugin("call.unmute", at(50, 40.2), hana, hana_call)
deleted = voice_call(ben, "Billing", at(51, 20), at(51, 45), 0, 0, "deleted-task", finish=False)

# Stacked warm transfer: Bruno transfers his caller to Ada by name; the task keeps its sid.
origin = voice_call(bruno, "Tech Support", at(50, 15), at(50, 30), 0, 0, "stack-origin", finish=False)
origin["transfer_at"] = at(52)
taskrouter("task.transfer-initiated", at(52), None, origin, **transfer_fields(origin, bruno, "WORKER", "WARM", ada.sid))
conference("participant-hold", at(52, 0.4), origin, origin["customer"])  # the customer waits while Ada is offered
origin["reservations"]["ada"] = sid("WR", "stack-origin", "ada")
reservation("reservation.created", at(52, 3), ada, origin)
# Ada's client holds her first caller (HoldParticipant) and the Voice SDK mutes her leg: the plugin says both.
conference("participant-hold", at(52, 8.3), first, first["customer"])
plugin("call.hold", at(52, 8.25), ada, first)
plugin("call.mute", at(52, 8.5), ada, first)
reservation("reservation.accepted", at(52, 9), ada, origin)
conference("participant-join", at(52, 10), origin, sid("CA", "stack-origin", "ada"))
reservation("reservation.wrapup", at(52, 40), bruno, origin)  # Bruno leaves: wrap-up
conference("participant-leave", at(52, 40.2), origin, origin["agent_leg"])
conference("participant-unhold", at(52, 41), origin, origin["customer"])  # Ada takes the caller
taskrouter("task.transfer-completed", at(52, 42), None, origin,
           **transfer_fields(origin, bruno, "WORKER", "WARM", ada.sid, status="completed"))

# Queue transfer: Gus sends his caller to the Tech Support queue; routing offers it to Chen, on a call.
g = voice_call(gus, "Sales", at(50, 50), at(51), 0, 0, "queue-transfer", finish=False)
g["transfer_at"] = at(53)
taskrouter("task.transfer-initiated", at(53), None, g, **transfer_fields(g, gus, "QUEUE", "COLD", sid("WQ", "Tech Support")))
conference("participant-hold", at(53, 0.3), g, g["customer"])
reservation("reservation.wrapup", at(53, 1), gus, g)  # cold: the transferor wraps up before the receiver joins
conference("participant-leave", at(53, 1.2), g, g["agent_leg"])
reservation("reservation.completed", at(53, 40), gus, g)
g["queue"] = "Tech Support"
g["reservations"]["chen"] = sid("WR", "queue-transfer", "chen")
reservation("reservation.created", at(53, 20), chen, g)
reservation("reservation.accepted", at(53, 26), chen, g)
conference("participant-hold", at(53, 27), chen_first, chen_first["customer"])
plugin("call.hold", at(53, 26.9), chen, chen_first)
plugin("call.mute", at(53, 27.2), chen, chen_first)
conference("participant-unhold", at(53, 28), g, g["customer"])
taskrouter("task.transfer-completed", at(53, 29), None, g,
           **transfer_fields(g, gus, "QUEUE", "COLD", sid("WQ", "Tech Support"), status="completed"))

# Erin holds her caller; nothing reports her mute (this hold arrives through Event Streams).
conference("participant-hold", at(54), held_quietly, held_quietly["customer"], event_streams=True)
# Hana holds and mutes, then unmutes while her caller is still on hold.
conference("participant-hold", at(54, 30), hana_call, hana_call["customer"])
plugin("call.hold", at(54, 30.1), hana, hana_call)
plugin("call.mute", at(54, 30.4), hana, hana_call)
plugin("call.unmute", at(55, 10.6), hana, hana_call)
# Ben's task is deleted while he is on it.
taskrouter("task.deleted", at(55, 30), None, deleted)
# Gus is offered a new call: ringing when the hour ends.
ringing = new_task("voice", "Sales", at(56, 40), "ringing", {"call_sid": sid("CA", "ringing"), "from": phone(),
                                                              "direction": "inbound"})
ringing["reservations"]["gus"] = sid("WR", "ringing", "gus")
taskrouter("task.created", at(56, 40), None, ringing)
reservation("reservation.created", at(56, 50), gus, ringing)

# --- Write, in time order; conference SequenceNumbers count each conference's callbacks ---------------
out.sort(key=lambda e: (e[0], e[1]))
sequence = {}
for t, _, kind, obj in out:
    if kind in ("conf", "esconf"):
        sequence[obj["ConferenceSid"]] = sequence.get(obj["ConferenceSid"], 0) + 1
        obj["SequenceNumber"] = str(sequence[obj["ConferenceSid"]])
    if kind == "esconf":
        obj = {"specversion": "1.0", "type": "com.twilio.voice.status-callback.conference.participant.updated",
               "source": "/2010-04-01/Accounts/%s/Conferences/%s/Participants/%s" % (ACCOUNT, obj["ConferenceSid"], obj["CallSid"]),
               "id": sid("EZ", "conference", obj["ConferenceSid"], obj["SequenceNumber"]),
               "dataschema": "https://events-schemas.twilio.com/Voice.WebhookEvent/1",
               "datacontenttype": "application/json", "time": iso(t),
               "data": {"request": {"parameters": obj}}}
    sys.stdout.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n")
print("%d lines, %d queue calls" % (len(out), calls), file=sys.stderr)
