/// The live state of every message queue (`Service.messageQueue`, kind sqs) of a run: the messages, each queue's
/// visible messages (FIFO) and consumers waiting on a long poll, and each consumer's batch. One flat store for
/// all queues, like `World.instances`; no allocation per event once grown.
struct MessageQueues {
    struct Message {
        var queue: Int32
        var sentAt: SimTime
        /// Draw key of the message (its processings draw from children of it).
        var key: UInt64
        /// Times received, and the receipt of the latest receive (a delete needs it).
        var receives: UInt32 = 0
        var receipt: UInt32 = 0
        /// Received and not yet visible again (until `visibleAt`); deleted or dead-lettered.
        var inFlight = false
        var gone = false
        var visibleAt = SimTime.never
        /// In its queue's visible FIFO; collected from the front of the send order (its slot is free once it is
        /// both gone and out of the FIFO).
        var inVisible = false
        var collected = false
    }

    struct Consumer {
        var queue: Int32
        /// The messages of its current batch with the receipt and draw key of each, and the next to process.
        var batch: [(message: UInt32, receipt: UInt32, key: UInt64)] = []
        var next = 0
    }

    /// Per queue (indexed like `World.services`; empty for other services).
    struct Queue {
        let config: MessageQueueConfig
        /// Visible messages, oldest first (SQS standard queues order only roughly; FIFO is the usual reading).
        var visible = RingBuffer<UInt32>(filler: 0)
        /// Consumers on a long poll, first come first served.
        var waiting = RingBuffer<UInt32>(filler: 0)
        /// Every message not yet collected, in the order sent: the front is the oldest not gone.
        var sent = RingBuffer<UInt32>(filler: 0)
        /// Visible messages over time (the service's `queue_length`), and the send time of the oldest message
        /// not gone (-1: none) for `oldest_age_s`.
        var depthGauge: Gauge
        var oldestGauge: Gauge
        var sentCount = 0
        var deleted = 0
        var duplicates = 0
        var deadLettered = 0
        var receives = 0
    }

    var messages: [Message] = []
    var freeMessages: [UInt32] = []
    var consumers: [Consumer] = []
    var queues: [Queue?] = []
    /// Receipts are unique across the run (below 2^31), so a batch entry whose message slot was reused since
    /// is recognised as stale.
    var lastReceipt: UInt32 = 0

    mutating func nextReceipt() -> UInt32 {
        lastReceipt = lastReceipt == 0x7FFF_FFFF ? 1 : lastReceipt + 1
        return lastReceipt
    }

    /// Takes the next message of queue `q`'s visible FIFO, dropping those deleted while visible (freeing their
    /// slots once collected).
    mutating func popVisible(queue q: Int) -> UInt32? {
        while let id = queues[q]!.visible.popFirst() {
            messages[Int(id)].inVisible = false
            guard messages[Int(id)].gone else { return id }
            if messages[Int(id)].collected { freeMessages.append(id) }
        }
        return nil
    }

    /// A new message of queue `q`.
    mutating func newMessage(queue q: Int, key: UInt64, now: SimTime) -> UInt32 {
        let m = Message(queue: Int32(q), sentAt: now, key: key)
        if let id = freeMessages.popLast() {
            messages[Int(id)] = m
            return id
        }
        messages.append(m)
        return UInt32(messages.count - 1)
    }

    /// Collects the messages gone from the front of queue `q`'s send order; returns the send time of the oldest
    /// one left, or nil.
    mutating func collect(queue q: Int) -> SimTime? {
        while let id = queues[q]!.sent.first, messages[Int(id)].gone {
            _ = queues[q]!.sent.popFirst()
            messages[Int(id)].collected = true
            if !messages[Int(id)].inVisible { freeMessages.append(id) }
        }
        return queues[q]!.sent.first.map { messages[Int($0)].sentAt }
    }
}
