#!/usr/bin/env python3
"""Generates seeds/twilio-busy-hour.ndjson: a small contact centre's busy hour as Twilio sends it.

Event Streams CloudEvents (TaskRouter, snake_case payloads, attributes as JSON strings) interleaved with
Voice conference status callbacks (JSON objects of string fields, RFC 2822 timestamps), in time order.
Sids, names and numbers are made up. Deterministic: same script, same file.

Covers: worker.created, capacity and attribute updates, activity changes (breaks, going offline), queue
calls with holds and mutes, wrap-up and completion, a call abandoned in queue (task.canceled), a
reservation that times out, an outbound call, chat tasks, a conference learned late via task.updated,
a stacked transfer (a second call transferred to a busy agent, who holds and mutes the first) and a
queue misroute (a call transferred to a queue reaching an agent already on a call).

Usage: python3 seeds/tools/twilio_busy_hour.py > seeds/twilio-busy-hour.ndjson
"""
import hashlib
import json
import random
import sys
from datetime import datetime, timedelta, timezone

START = datetime(2026, 11, 25, 9, 0, 0, tzinfo=timezone.utc)
END = START + timedelta(hours=1)
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
                        "worker_activity_name": worker.activity_at(t)})
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


def conference(event, t, conf, call, label):
    obj = {"ConferenceSid": conf, "FriendlyName": conf.replace("CF", "WT", 1), "AccountSid": ACCOUNT,
           "Timestamp": rfc2822(t), "StatusCallbackEvent": event, "CallSid": call,
           "Muted": "true" if event == "participant-mute" else "false",
           "Hold": "true" if event == "participant-hold" else "false",
           "Coaching": "false", "EndConferenceOnExit": "false", "StartConferenceOnEnter": "true",
           "ParticipantLabel": label}
    emit(t, "conf", obj)


def phone():
    return "+1555%07d" % rng.randrange(10 ** 7)


def reservation(eventtype, t, worker, task, **extra):
    taskrouter(eventtype, t, worker, task, reservation_sid=task["reservations"][worker.login],
               reservation_status=eventtype.split(".")[1], worker_channel_capacity=worker.voice if task["channel"] == "voice" else worker.chat,
               **extra)


def new_task(channel, queue, created, key, attributes):
    return {"sid": sid("WT", key), "channel": channel, "queue": queue, "created": created, "attributes": attributes,
            "reservations": {}}


def voice_call(worker, queue, arrive, accept, talk, wrap, key, holds=(), mutes=(), direction="inbound",
               transfer=None, late_conference=False, customer=None, conf=None, customer_leaves=True):
    """Emits one voice task's life for `worker`; returns the task."""
    customer = customer or sid("CA", key, "customer")
    conf = conf or sid("CF", key)
    agent_leg = sid("CA", key, worker.login)
    attrs = {"call_sid": customer, "from": phone() if direction == "inbound" else "+15550000100",
             "to": "+15550000100" if direction == "inbound" else phone(), "direction": direction,
             "name": "caller " + key, "type": "inbound" if direction == "inbound" else "outbound"}
    conference_attrs = {"sid": conf, "participants": {"customer": customer, "worker": agent_leg}}
    if not late_conference:
        attrs["conference"] = conference_attrs
    transfer_fields = {}
    if transfer:
        target_type, source = transfer
        attrs["transferTargetType"] = target_type
        transfer_fields = {"transfer_sid": sid("TT", key), "transfer_started_by": source.sid,
                           "transfer_initiating_worker_sid": source.sid, "transfer_mode": "COLD",
                           "transfer_type": target_type.upper(), "transfer_to": worker.sid if target_type == "worker" else sid("WQ", queue)}
    task = new_task("voice", queue, arrive, key, attrs)
    task["reservations"][worker.login] = sid("WR", key, worker.login)
    taskrouter("task.created", arrive, None, task)
    reservation("reservation.created", accept - timedelta(seconds=rng.uniform(3, 8)), worker, task, **transfer_fields)
    reservation("reservation.accepted", accept, worker, task, **transfer_fields)
    if late_conference:
        attrs["conference"] = conference_attrs
        taskrouter("task.updated", accept + timedelta(seconds=2.2), None, task)
    conference("participant-join", accept + timedelta(seconds=1.1), conf, customer, "customer")
    conference("participant-join", accept + timedelta(seconds=1.4), conf, agent_leg, "worker")
    for start, length in holds:
        conference("participant-hold", accept + timedelta(seconds=start), conf, customer, "customer")
        conference("participant-unhold", accept + timedelta(seconds=start + length), conf, customer, "customer")
    for start, length in mutes:
        conference("participant-mute", accept + timedelta(seconds=start), conf, agent_leg, "worker")
        conference("participant-unmute", accept + timedelta(seconds=start + length), conf, agent_leg, "worker")
    end = accept + timedelta(seconds=talk)
    if customer_leaves:
        conference("participant-leave", end, conf, customer, "customer")
    reservation("reservation.wrapup", end + timedelta(seconds=0.3), worker, task)
    taskrouter("task.wrapup", end + timedelta(seconds=0.35), None, task)
    conference("participant-leave", end + timedelta(seconds=0.6), conf, agent_leg, "worker")
    done = end + timedelta(seconds=wrap)
    reservation("reservation.completed", done, worker, task)
    taskrouter("task.completed", done + timedelta(seconds=0.05), None, task)
    worker.voice_busy.append((accept, done))
    task.update(conf=conf, customer=customer, agent_leg=agent_leg, end=end, done=done)
    return task


# --- The workforce logs in ---------------------------------------------------------------------
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
        taskrouter("worker.activity.update", t, w, worker_activity_name=name, worker_previous_activity_name=previous,
                   worker_activity_available=name == "Available")
        previous = name

# Dev gets a second voice slot; Gus learns a skill mid-hour.
dev = by_login["dev"]
dev.voice = 2
taskrouter("worker.capacity.update", at(5, 2), dev, task_channel_unique_name="voice", worker_channel_capacity=2,
           worker_channel_available=True)
gus = by_login["gus"]
gus.skills = gus.skills + ["renewals"]
taskrouter("worker.attributes.update", at(33, 12), gus)

# --- Scripted: stacked transfer ------------------------------------------------------------------
# Ada is on a Billing call; Bruno cold-transfers his Tech caller to Ada by name. Ada's client holds her
# first caller and mutes her leg on that conference, then takes the transfer; afterwards she resumes.
ada, bruno = by_login["ada"], by_login["bruno"]
first = voice_call(ada, "Billing", at(17, 40), at(18), 540, 40, "stack-first")
# Bruno leaves his conference at the transfer; the caller stays in it and meets Ada there.
bruno_call = voice_call(bruno, "Tech Support", at(16, 50), at(17, 30), 162, 25, "stack-origin", customer_leaves=False)
taskrouter("task.transfer-initiated", at(20, 10), None, {**bruno_call, "created": at(16, 50)},
           transfer_sid=sid("TT", "stack-second"), transfer_started_by=bruno.sid)
second = voice_call(ada, "Tech Support", at(20, 10), at(20, 15.4), 225, 30, "stack-second",
                    transfer=("worker", bruno), customer=bruno_call["customer"], conf=bruno_call["conf"])
conference("participant-hold", at(20, 15.9), first["conf"], first["customer"], "customer")
conference("participant-mute", at(20, 16.2), first["conf"], first["agent_leg"], "worker")
conference("participant-unhold", second["end"] + timedelta(seconds=3), first["conf"], first["customer"], "customer")
conference("participant-unmute", second["end"] + timedelta(seconds=3.4), first["conf"], first["agent_leg"], "worker")

# --- Scripted: queue misroute ---------------------------------------------------------------------
# Gus transfers a caller to the Tech Support *queue*; routing hands it to Chen, already on a call.
chen = by_login["chen"]
busy = voice_call(chen, "Tech Support", at(38, 5), at(38, 20), 420, 35, "misroute-first", holds=[(60, 45)])
misrouted = voice_call(chen, "Tech Support", at(40, 2), at(40, 5.7), 190, 20, "misroute-second", transfer=("queue", gus))
conference("participant-hold", at(40, 6.3), busy["conf"], busy["customer"], "customer")
conference("participant-mute", at(40, 6.5), busy["conf"], busy["agent_leg"], "worker")
conference("participant-unhold", misrouted["end"] + timedelta(seconds=2), busy["conf"], busy["customer"], "customer")
conference("participant-unmute", misrouted["end"] + timedelta(seconds=2.2), busy["conf"], busy["agent_leg"], "worker")

# --- Scripted: an outbound call and a reservation that times out ----------------------------------------
voice_call(by_login["hana"], "Sales", at(6, 30), at(6, 31), 300, 30, "outbound-1", direction="outbound-api")
erin = by_login["erin"]
timeout_task = new_task("voice", "Tech Support", at(8), "timeout-first", {"call_sid": sid("CA", "t1"), "from": phone()})
timeout_task["reservations"]["erin"] = sid("WR", "timeout", "erin")
reservation("reservation.created", at(8, 2), erin, timeout_task)
reservation("reservation.timeout", at(8, 32), erin, timeout_task)
taskrouter("task.canceled", at(8, 50), None, timeout_task, task_canceled_reason="hangup")

# --- Queue traffic ------------------------------------------------------------------------------------
calls = 0
for queue, mean_gap in [("Billing", 100), ("Tech Support", 110), ("Sales", 200)]:
    t = at(0, rng.uniform(0, 60))
    n = 0
    while t < END - timedelta(minutes=6):
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
    t = at(rng.uniform(2, 50))
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

# --- Write, in time order; conference SequenceNumbers count each conference's callbacks ---------------
out.sort(key=lambda e: (e[0], e[1]))
sequence = {}
for t, _, kind, obj in out:
    if kind == "conf":
        sequence[obj["ConferenceSid"]] = sequence.get(obj["ConferenceSid"], 0) + 1
        obj["SequenceNumber"] = str(sequence[obj["ConferenceSid"]])
    sys.stdout.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n")
print("%d lines, %d queue calls" % (len(out), calls), file=sys.stderr)
