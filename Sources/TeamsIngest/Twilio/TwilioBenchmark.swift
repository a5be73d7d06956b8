import TeamsDomain

/// A realistic Event Streams workload for `teamsview-bench --only twilio`: TaskRouter CloudEvents as a
/// busy contact centre sends them (the shape of `seeds/twilio-busy-hour.ndjson`), one per line.
///
/// Each task runs `task.created`, `reservation.created`, `reservation.accepted`, sometimes `task.updated`,
/// `reservation.wrapup`, `task.wrapup`, `reservation.completed`, `task.completed`; workers change activity
/// between tasks (`worker.activity.update`). Many tasks are in flight at once, so their events interleave,
/// in time order, about 5 ms apart. Every event of a task repeats the task's attributes string, and every
/// worker event the worker's attributes string, as Twilio does. One task in six is a chat, one in ten
/// outbound. Deterministic: same arguments, same lines.
///
/// ```swift
/// let lines = TwilioBenchmark.lines(count: 200_000)
/// let t0 = now(); let result = TwilioBenchmark.decode(lines); let seconds = now() - t0
/// print("\(Double(lines.count) / seconds) CloudEvents/s, \(result.events) domain events")
/// ```
public enum TwilioBenchmark {
    /// `count` CloudEvent lines (no trailing newline) for `workers` agents.
    public static func lines(count: Int, workers: Int = 500) -> [String] {
        var generator = Generator(workers: max(1, workers))
        var out: [String] = []
        out.reserveCapacity(count)
        while out.count < count { out.append(generator.next()) }
        return out
    }

    /// Decodes `lines` with one ``TwilioDecoder`` (default configuration) and flushes it: what one
    /// ingest thread does with an Event Streams feed. Returns the domain events produced and lines rejected.
    public static func decode(_ lines: [String]) -> (events: Int, rejected: Int) {
        var decoder = TwilioDecoder()
        var events: [Event] = []
        events.reserveCapacity(64)
        var produced = 0
        var rejected = 0
        for line in lines {
            if decoder.decode(line, into: &events) != nil { rejected += 1 }
            produced += events.count
            events.removeAll(keepingCapacity: true)
        }
        decoder.flush(into: &events)
        return (produced + events.count, rejected)
    }

    /// Decodes a newline-separated buffer (what ``lines(count:workers:)`` joined with `\n` would be), split into
    /// lines by the shipped ``LineReader`` as a source splits its input, for benchmarks that time the buffer path.
    /// The decoder is the caller's, so that timing can leave out its teardown (a server never tears one down).
    /// Returns the domain events produced and lines rejected.
    public static func decode(buffer: UnsafeBufferPointer<UInt8>, with decoder: inout TwilioDecoder) -> (events: Int, rejected: Int) {
        var events: [Event] = []
        events.reserveCapacity(64)
        var produced = 0
        var rejected = 0
        var reader = LineReader()
        func handle(_ line: LineReader.Line) {
            guard case .line(let bytes) = line else {
                rejected += 1
                return
            }
            guard !bytes.isEmpty else { return }
            if decoder.decode(line: bytes, into: &events) != nil { rejected += 1 }
            produced += events.count
            events.removeAll(keepingCapacity: true)
        }
        reader.feed(buffer, handle)
        reader.finish(handle)
        decoder.flush(into: &events)
        return (produced + events.count, rejected)
    }

    // MARK: Generator

    struct Generator {
        static let account = "AC00000000000000000000000000000001"
        static let workspace = "WS00000000000000000000000000000001"
        static let teams = ["Billing", "Tech Support", "Sales", "Retention"]
        static let activities = ["Available", "Break", "Lunch", "Available", "Training"]

        struct Agent {
            let sid: String
            let login: String
            let attributes: String
            var activity = "Available"
        }

        struct Task {
            let sid: String
            let reservation: String
            let worker: Int
            let team: String
            let channel: String
            var attributes: String
            var step = 0
        }

        var rng: UInt64 = 0x7E4A_5D1C_2B3F_9081
        var agents: [Agent] = []
        var tasks: [Task] = []
        var nextTask = 0
        var nextEvent = 0
        /// Event time in milliseconds since 2026-11-25T09:00:00Z.
        var clock: Int64 = 0
        var pendingActivity: [Int] = []

        init(workers: Int) {
            for i in 0..<workers {
                let sid = "WK" + hex(128 &+ UInt64(i))
                let team = Self.teams[i % Self.teams.count]
                let login = "agent\(i)"
                let skills = i % 3 == 0 ? #"[\"\#(team.lowercased())\", \"spanish\"]"# : #"[\"\#(team.lowercased())\"]"#
                let attributes = #"{\"full_name\": \"Agent \#(i) Example\", \"team_name\": \"\#(team)\", \"email\": \"\#(login)@example.com\", \"routing\": {\"skills\": \#(skills), \"levels\": {\"\#(team.lowercased())\": 5}}}"#
                agents.append(Agent(sid: sid, login: login, attributes: attributes))
            }
            // About one task in flight per two agents: events of different tasks interleave.
            for _ in 0..<max(1, workers / 2) { tasks.append(newTask()) }
        }

        mutating func random() -> UInt64 {
            rng &+= 0x9E37_79B9_7F4A_7C15
            var z = rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        func hex(_ v: UInt64) -> String {
            // 32 hex digits, like a Twilio sid's tail.
            var x = v &* 0x9E37_79B9_7F4A_7C15
            var s = ""
            s.reserveCapacity(32)
            let digits = Array("0123456789abcdef".utf8)
            for k in 0..<32 {
                if k == 16 { x = (v ^ 0xD1B5_4A32_D192_ED03) &* 0xBF58_476D_1CE4_E5B9 }
                s.unicodeScalars.append(UnicodeScalar(digits[Int(x >> 60)]))
                x <<= 4
            }
            return s
        }

        mutating func newTask() -> Task {
            let n = nextTask
            nextTask += 1
            let worker = Int(random() % UInt64(agents.count))
            let channel = n % 6 == 5 ? "chat" : "voice"
            let outbound = n % 10 == 7
            let call = "CA" + hex(1 << 40 &+ UInt64(n))
            let agentCall = "CA" + hex(1 << 41 &+ UInt64(n))
            let phone = "+1555\(1_000_000 + Int(random() % 8_999_999))"
            let team = Self.teams[worker % Self.teams.count]
            let attributes: String
            if channel == "chat" {
                attributes = #"{\"from\": \"\#(phone)\", \"channelType\": \"web\", \"name\": \"chat \#(n)\", \"conversationSid\": \"CH\#(hex(1 << 42 &+ UInt64(n)))\"}"#
            } else {
                attributes = #"{\"call_sid\": \"\#(call)\", \"from\": \"\#(outbound ? "+15550000100" : phone)\", \"to\": \"\#(outbound ? phone : "+15550000100")\", \"direction\": \"\#(outbound ? "outbound" : "inbound")\", \"name\": \"caller \#(team.lowercased())-\#(n)\", \"type\": \"\#(outbound ? "outbound" : "inbound")\", \"conference\": {\"sid\": \"CF\#(hex(1 << 43 &+ UInt64(n)))\", \"participants\": {\"customer\": \"\#(call)\", \"worker\": \"\#(agentCall)\"}}}"#
            }
            return Task(sid: "WT" + hex(1 << 44 &+ UInt64(n)), reservation: "WR" + hex(1 << 45 &+ UInt64(n)),
                        worker: worker, team: team, channel: channel, attributes: attributes)
        }

        static let steps = ["task.created", "reservation.created", "reservation.accepted", "task.updated",
                            "reservation.wrapup", "task.wrapup", "reservation.completed", "task.completed"]

        mutating func next() -> String {
            clock += 1 + Int64(random() % 9)
            if let worker = pendingActivity.popLast() {
                agents[worker].activity = Self.activities[Int(random() % UInt64(Self.activities.count))]
                return line("worker.activity.update", worker: worker, task: nil)
            }
            let slot = Int(random() % UInt64(tasks.count))
            var task = tasks[slot]
            var type = Self.steps[task.step]
            // Only one task in five is updated (a conference learned late, a transfer...).
            if type == "task.updated" && nextEvent % 5 != 0 { task.step += 1; type = Self.steps[task.step] }
            if task.channel == "chat" && (type == "reservation.wrapup" || type == "task.wrapup") {
                task.step = 6
                type = Self.steps[task.step]
            }
            let text = line(type, worker: task.worker, task: task)
            task.step += 1
            if task.step == Self.steps.count {
                if nextTask % 4 == 0 { pendingActivity.append(task.worker) }
                task = newTask()
            }
            tasks[slot] = task
            return text
        }

        mutating func line(_ type: String, worker index: Int, task: Task?) -> String {
            nextEvent += 1
            let id = hex(1 << 50 &+ UInt64(nextEvent))
            let time = Self.time(clock)
            var payload = #""sid":"EV\#(id)","eventtype":"\#(type)","account_sid":"\#(Self.account)","timestamp":"\#(time)","workspace_sid":"\#(Self.workspace)","workspace_name":"Busy Hour Centre""#
            let agent = agents[index]
            if !type.hasPrefix("task.") {
                payload += #","worker_sid":"\#(agent.sid)","worker_name":"\#(agent.login)","worker_attributes":"\#(agent.attributes)","worker_activity_name":"\#(agent.activity)""#
                if type == "worker.activity.update" {
                    payload += #","worker_activity_sid":"WA\#(hex(UInt64(agent.activity.utf8.count)))","worker_previous_activity_name":"Available""#
                }
            }
            if let task {
                let age = task.step * 30
                payload += #","task_sid":"\#(task.sid)","task_attributes":"\#(task.attributes)","task_channel_unique_name":"\#(task.channel)","task_queue_name":"\#(task.team)","task_queue_sid":"WQ\#(hex(UInt64(task.team.utf8.count)))","task_priority":0,"task_age":\#(age)"#
                if type.hasPrefix("reservation.") {
                    let status = type.dropFirst("reservation.".count)
                    payload += #","reservation_sid":"\#(task.reservation)","reservation_status":"\#(status)","worker_channel_capacity":2"#
                } else {
                    let status = type == "task.created" ? "pending" : type == "task.updated" ? "assigned" : String(type.dropFirst("task.".count))
                    payload += #","task_assignment_status":"\#(status)""#
                }
            }
            return #"{"specversion":"1.0","type":"com.twilio.taskrouter.\#(type)","source":"/v1/Workspaces/\#(Self.workspace)","id":"EZ\#(id)","dataschema":"https://events-schemas.twilio.com/TaskRouter.WDSEvent/2","datacontenttype":"application/json","time":"\#(time)","data":{"sid":"EV\#(id)","account_sid":"\#(Self.account)","timestamp":"\#(time)","product_name":"TaskRouter","level":"INFO","payload_type":"application/json","publisher_metadata":"{}","payload":{\#(payload)}}}"#
        }

        /// RFC 3339 with milliseconds, from milliseconds after 2026-11-25T09:00:00Z (under a day).
        static func time(_ ms: Int64) -> String {
            let h = 9 + Int(ms / 3_600_000) % 15
            let m = Int(ms / 60_000) % 60
            let s = Int(ms / 1_000) % 60
            let f = Int(ms % 1_000)
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            let frac = f < 10 ? "00\(f)" : f < 100 ? "0\(f)" : "\(f)"
            return "2026-11-25T\(two(h)):\(two(m)):\(two(s)).\(frac)Z"
        }
    }
}
