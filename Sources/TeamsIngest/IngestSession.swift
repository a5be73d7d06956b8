import TeamsDomain

/// The per-source, single-threaded half of an ``IngestPipeline``: line splitting, decoding and batching.
///
/// Feed it chunks as they are read; it hands complete batches to the sink at the end of each chunk, so
/// events never wait for more input, and reports counts to the statistics once per chunk.
public struct IngestSession {
    public let source: String
    let pipeline: IngestPipeline
    var reader: LineReader
    var decoder: any LineDecoder
    var batch: [Event] = []
    /// Which line each run of `batch` came from: the events before `end` (and after the previous run) were
    /// let go while reading `line`. Tells a refusal at a registry cap which line to reject.
    var batchLines: [(end: Int, line: Int)] = []
    var tally = IngestStatistics.Tally()
    /// Lines seen so far in this source (blank and rejected included).
    public private(set) var lineNumber = 0
    /// Totals for this session, with the first errors when collecting.
    public private(set) var result = IngestResult()
    /// ``lineNumber`` when ``result`` last started afresh: later lines are counted in it.
    var resultStartLine = 0
    var errorLimit = 0
    /// When set (`POST /ingest`), a rejection is reported as "SOURCE request N", line k of that request's body,
    /// N counting the bodies this session has taken since the server started; otherwise line k of the source.
    public var numbersRequests = false
    /// Bodies whose result was taken (``takeResult()``): the current one is `requests + 1`.
    var requests = 0
    /// The decoder's ``LineDecoder/formatStatistics`` as last reported to the statistics.
    var reportedFormats = TwilioStatistics()
    /// When set, only lines it lets through reach the decoder; the others are rejected and counted.
    public var permit: NativeLinePermit?
    /// When set, the operations this session starts on its own (held events let go, end of input,
    /// a partial line dropped) are appended to it; input is appended by its reader with ``record(_:payload:)``
    /// before it is fed. Replayed sessions have none until they are live again.
    public var journal: WriteAheadLog?
    /// The file this session reads and how far (file sources only): journal records carry it.
    public var position: FilePosition?

    init(pipeline: IngestPipeline, source: String) {
        self.pipeline = pipeline
        self.source = source
        self.reader = LineReader(maxLineLength: pipeline.maxLineLength)
        self.decoder = pipeline.makeDecoder()
        batch.reserveCapacity(pipeline.batchSize)
    }

    /// Keeps up to `limit` rejections in ``result`` (for answering a POST).
    public mutating func collectErrors(limit: Int) { errorLimit = limit }

    /// Returns the totals since the last call and starts counting afresh (one POST at a time).
    public mutating func takeResult() -> IngestResult {
        defer {
            result = IngestResult()
            resultStartLine = lineNumber
            requests += 1
        }
        return result
    }

    /// Decodes a form-encoded webhook body (a Twilio callback) when the decoder understands forms.
    /// Returns false when it does not.
    public mutating func feed(formBody: [UInt8]) -> Bool {
        guard decoder.decodesForms else { return false }
        lineNumber += 1
        tally.linesRead += 1
        if let refusal = permit?.formRefusal {
            formBody.withUnsafeBufferPointer { reject(refusal, $0) }
            endOfChunk()
            return true
        }
        let before = batch.count
        let rejection = decoder.decode(formBody: formBody, into: &batch)
        if let rejection {
            formBody.withUnsafeBufferPointer { reject(rejection, $0) }
        } else {
            result.accepted += 1
            if batch.count > before { batchLines.append((batch.count, lineNumber)) }
        }
        endOfChunk()
        return true
    }

    /// Feeds a whole body: NDJSON lines, or one JSON array whose elements are events. A UTF-8
    /// byte order mark at its start is skipped.
    public mutating func feed(body: UnsafeBufferPointer<UInt8>) {
        let body = UnsafeBufferPointer(rebasing: body[Self.byteOrderMarkLength(body)...])
        if JSONArrayBody.looksLikeArray(body) {
            JSONArrayBody.ingest(body, into: &self)
        } else {
            feed(body)
            finishBody()
        }
    }

    /// A body ended: its last line counts even without a newline; buffered events stay buffered.
    mutating func finishBody() {
        var r = LineReader(maxLineLength: reader.maxLineLength)
        swap(&r, &reader)
        r.finish { handle($0) }
        swap(&r, &reader)
        endOfChunk()
    }

    /// Feeds the next chunk of input; complete lines are processed now, a partial last line waits.
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>) {
        // Move the reader out so the callback may mutate the rest of the session.
        var r = LineReader(maxLineLength: reader.maxLineLength)
        swap(&r, &reader)
        r.feed(chunk) { handle($0) }
        swap(&r, &reader)
        endOfChunk()
    }

    /// Lets go of events a buffering decoder held back that are now due; call it when input is quiet.
    public mutating func tick() {
        tick(now: Timestamp.now())
    }

    /// Lets go of the held events due at `now` (the server's clock then; a replay gives the recorded time).
    public mutating func tick(now: Timestamp) {
        let before = batch.count
        decoder.tick(now: now, into: &batch)
        if batch.count > before {
            journal?.append(.tick, source: source, at: now, position: position)
            endOfChunk()
        }
    }

    /// Appends an input operation (a body, a form, a chunk) to the journal before it is fed; returns the
    /// record's sequence number to wait on, or `nil` without a journal. `position` is where a file
    /// source will stand once the payload is fed (set it with ``position`` after feeding).
    public func record(_ operation: JournalRecord.Operation, payload: UnsafeBufferPointer<UInt8>,
                       position: FilePosition? = nil) -> UInt64? {
        journal?.append(operation, source: source, at: Timestamp.now(),
                        flags: permit == nil ? 0 : JournalRecord.restricted, position: position, payload: payload)
    }

    /// The input ended: a final line without a newline is processed too, and held events are let go.
    public mutating func finish() {
        journal?.append(.finish, source: source, at: Timestamp.now(), position: position)
        var r = LineReader(maxLineLength: reader.maxLineLength)
        swap(&r, &reader)
        r.finish { handle($0) }
        swap(&r, &reader)
        decoder.flush(into: &batch)
        endOfChunk()
        pipeline.rejectLog.flush(source: source)
    }

    /// Drops a partial line: its file was truncated or replaced, so its start is not coming back.
    public mutating func discardPartialLine() {
        journal?.append(.discardPartialLine, source: source, at: Timestamp.now(), position: position)
        reader.reset()
    }

    /// The clock the decoder judges event times against (see ``LineDecoder/arrival``); `nil`: now.
    var arrival: Timestamp? {
        get { decoder.arrival }
        set { decoder.arrival = newValue }
    }

    /// Whether the decoder holds events that ``tick()`` will let go as time passes.
    public var holdsEvents: Bool { decoder.heldEvents > 0 }

    /// Whether a partial line is waiting for more input.
    public var hasPartialLine: Bool { reader.hasPartialLine }

    /// Processes one element of a JSON array body as if it were a line.
    mutating func element(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count > reader.maxLineLength {
            handle(.tooLong(preview: UnsafeBufferPointer(rebasing: bytes.prefix(LineReader.previewLength)),
                            length: bytes.count))
        } else {
            handle(.line(bytes))
        }
    }

    mutating func endOfChunk() {
        let now = Timestamp.now()
        if tally.linesRead > 0 { pipeline.statistics.noteArrival(at: now) }
        flush()
        pipeline.statistics.add(tally, receivedAt: now)
        tally = IngestStatistics.Tally()
        let formats = decoder.formatStatistics
        if formats != reportedFormats {
            pipeline.statistics.addTwilio(formats.since(reportedFormats))
            reportedFormats = formats
        }
    }

    mutating func handle(_ line: LineReader.Line) {
        lineNumber += 1
        tally.linesRead += 1
        switch line {
        case .tooLong(let preview, let length):
            reject(.tooLong(length, limit: reader.maxLineLength), preview)
        case .line(let whole):
            // A byte order mark starts the files some editors and exporters write (and a file
            // rotated in, or concatenated): it is never part of an event.
            let bytes = UnsafeBufferPointer(rebasing: whole[Self.byteOrderMarkLength(whole)...])
            if LineBytes.isBlank(bytes) {
                tally.linesSkippedEmpty += 1
                result.skipped += 1
                return
            }
            if let refusal = permit?.check(bytes) {
                reject(refusal, bytes)
                return
            }
            let before = batch.count
            if let rejection = decoder.decode(line: bytes, into: &batch) {
                reject(rejection, bytes)
                return
            }
            result.accepted += 1
            if batch.count > before { batchLines.append((batch.count, lineNumber)) }
            if batch.count >= pipeline.batchSize {
                pipeline.statistics.noteArrival(at: Timestamp.now())
                flush()
            }
        }
    }

    /// 3 when `bytes` starts with the UTF-8 byte order mark (EF BB BF), else 0.
    static func byteOrderMarkLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    mutating func flush() {
        guard !batch.isEmpty else { return }
        let refusals = pipeline.deliver(batch)
        if !refusals.isEmpty { refuse(refusals) }
        // Refused events were not applied: they count as rejections of their lines (`refuse`).
        tally.eventsApplied += batch.count - refusals.count
        result.events += batch.count - refusals.count
        batch.removeAll(keepingCapacity: true)
        batchLines.removeAll(keepingCapacity: true)
    }

    /// Events of `batch` the registry refused at a cap: each rejects the line it came from, once per line.
    /// A line of this body's result moves from accepted to rejected; an event let go later (Twilio's reorder
    /// window, after its body was answered) is counted and listed on `/status` only.
    mutating func refuse(_ refusals: [ChangeSet.Refusal]) {
        var run = 0
        var lastLine: Int?
        for refusal in refusals {
            while run < batchLines.count && batchLines[run].end <= refusal.offset { run += 1 }
            let line = run < batchLines.count ? batchLines[run].line : nil
            if let line, line == lastLine { continue }
            lastLine = line
            let event = batch[refusal.offset]
            let worker = event.worker ?? "?"
            let why = refusal.reason == ApplyOutcome.Reason.tooManyWorkers
                ? "the registry holds as many workers as --max-workers allows; worker \"\(worker)\" was not added"
                : "worker \"\(worker)\" holds as many calls as --max-calls-per-worker allows; the call was not added"
            let rejection = IngestReject(.registryCap, "refused at a registry cap: " + why)
            let inResult = line.map { $0 > resultStartLine } ?? false
            if inResult { result.accepted -= 1 }
            reject(rejection, preview: "(an event of worker \(worker))", line: line ?? lineNumber, inResult: inResult)
        }
    }

    mutating func reject(_ rejection: IngestReject, _ bytes: UnsafeBufferPointer<UInt8>) {
        reject(rejection, preview: LineBytes.preview(bytes, limit: 200), line: lineNumber, inResult: true)
    }

    /// Counts and logs a rejection of line `line`; `inResult`: also in this body's ``result``.
    mutating func reject(_ rejection: IngestReject, preview: String, line: Int, inResult: Bool) {
        if inResult {
            result.rejected += 1
            if result.errors.count < errorLimit {
                result.errors.append(.init(line: line, reason: rejection.reason, category: rejection.category))
            }
        }
        var source = self.source, line = line
        if numbersRequests, line > resultStartLine {
            source += " request \(requests + 1)"
            line -= resultStartLine
        }
        pipeline.statistics.reject(rejection, source: source, lineNumber: line, preview: preview, at: Timestamp.now())
        pipeline.rejectLog.log(rejection, source: source, lineNumber: line, preview: preview)
    }
}

/// What an ``IngestSession`` remembers between operations, as a saved floor keeps it: the partial line,
/// the decoder's memory (Twilio correlation, the reorder window's records), the line count, the decoder
/// statistics already reported, and for a file the file (device, inode) and how far it was fed.
public struct SessionMemory: Codable {
    public var source: String
    var reader: LineReader
    var decoder: DecoderMemory?
    var lineNumber: Int
    var reportedFormats: TwilioStatistics
    public var position: FilePosition?
}

extension IngestSession {
    /// A copy of what the session remembers (O(1): copy-on-write).
    public var memory: SessionMemory {
        SessionMemory(source: source, reader: reader, decoder: decoder.memory, lineNumber: lineNumber,
                      reportedFormats: reportedFormats, position: position)
    }

    /// Goes on from a saved memory of this source.
    public mutating func restore(_ memory: SessionMemory) {
        reader = memory.reader
        if let saved = memory.decoder { decoder.restore(saved) }
        lineNumber = memory.lineNumber
        reportedFormats = memory.reportedFormats
        position = memory.position
    }
}
