/// Message queues in the SQS model (`Service.messageQueue`): a send is accepted at once; consumers receive
/// batches, process each message as an attempt at the queue's service (its service time, then its calls with its
/// policy), and delete it on success; a message not deleted reappears when its visibility timeout expires, and
/// one received too often goes to the dead-letter queue.
extension World {
    /// Every consumer's first receive, at time 0.
    mutating func startConsumers(queue: inout EventQueue) {
        for c in messageQueues.consumers.indices { receive(consumer: UInt32(c), now: .zero, queue: &queue) }
    }

    /// A producer's attempt reached queue `s`: the message is stored and the send answered at once.
    mutating func messageSent(_ attempt: UInt32, service s: Int, now: SimTime, queue: inout EventQueue) {
        sendMessage(.responseArrives, a: attempt, b: Outcome.success.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
        let id = messageQueues.newMessage(queue: s, key: attempts[attempt].key, now: now)
        messageQueues.queues[s]!.sent.append(id)
        messageQueues.queues[s]!.sentCount += 1
        if messageQueues.queues[s]!.sent.count == 1 { messageQueues.queues[s]!.oldestGauge.set(now.seconds, at: now, in: &stats.series) }
        makeVisible(id, queue: s, now: now, events: &queue)
    }

    /// Message `id` is visible: a consumer on a long poll receives it at once. A new message joins the end of the
    /// visible ones; one visible again (its timeout ran out) the front, since it was sent before every message
    /// still waiting (SQS orders by send time, on a best-effort basis).
    mutating func makeVisible(_ id: UInt32, queue s: Int, now: SimTime, events: inout EventQueue) {
        if messageQueues.messages[Int(id)].receives == 0 {
            messageQueues.queues[s]!.visible.append(id)
        } else {
            messageQueues.queues[s]!.visible.prepend(id)
        }
        messageQueues.messages[Int(id)].inFlight = false
        messageQueues.messages[Int(id)].inVisible = true
        messageQueues.queues[s]!.depthGauge.change(by: 1, at: now, in: &stats.series)
        if let c = messageQueues.queues[s]!.waiting.popFirst() { receive(consumer: c, now: now, queue: &events) }
    }

    /// Consumer `c` receives up to a batch of visible messages and processes the first; with none visible it
    /// waits (a long poll returns as soon as one is).
    mutating func receive(consumer c: UInt32, now: SimTime, queue: inout EventQueue) {
        let s = Int(messageQueues.consumers[Int(c)].queue)
        let config = messageQueues.queues[s]!.config
        messageQueues.consumers[Int(c)].batch.removeAll(keepingCapacity: true)
        messageQueues.consumers[Int(c)].next = 0
        var deadLettered = false
        while messageQueues.consumers[Int(c)].batch.count < config.batch, let id = messageQueues.popVisible(queue: s) {
            messageQueues.queues[s]!.depthGauge.change(by: -1, at: now, in: &stats.series)
            messageQueues.messages[Int(id)].receives += 1
            if let max = config.maxReceiveCount, messageQueues.messages[Int(id)].receives > max {
                // The redrive policy moves it to the dead-letter queue instead of delivering it.
                messageQueues.messages[Int(id)].gone = true
                messageQueues.queues[s]!.deadLettered += 1
                stats.series.add(services[s].columns.deadLettered, at: now)
                deadLettered = true
                continue
            }
            let receipt = messageQueues.nextReceipt()
            messageQueues.messages[Int(id)].receipt = receipt
            messageQueues.messages[Int(id)].inFlight = true
            messageQueues.messages[Int(id)].visibleAt = now + config.visibilityTimeout
            messageQueues.queues[s]!.receives += 1
            queue.schedule(.queueTimer, at: now + config.visibilityTimeout, a: id, b: receipt)
            let key = DrawKey.child(messageQueues.messages[Int(id)].key, UInt64(messageQueues.messages[Int(id)].receives))
            messageQueues.consumers[Int(c)].batch.append((id, receipt, key))
        }
        if deadLettered { updateOldest(queue: s, now: now) }
        if messageQueues.consumers[Int(c)].batch.isEmpty {
            messageQueues.queues[s]!.waiting.append(c)
        } else {
            processNext(consumer: c, service: s, now: now, queue: &queue)
        }
    }

    /// Consumer `c` processes the next message of its batch, or receives again when the batch is done.
    mutating func processNext(consumer c: UInt32, service s: Int, now: SimTime, queue: inout EventQueue) {
        let consumer = messageQueues.consumers[Int(c)]
        guard consumer.next < consumer.batch.count else {
            receive(consumer: c, now: now, queue: &queue)
            return
        }
        let entry = consumer.batch[consumer.next]
        let i = services[s].instances.lowerBound
        // The processing is an attempt at the queue's service with no request: the consumer is its caller.
        let attempt = attempts.insert(AttemptState(
            deadline: .never, key: entry.key, request: AttemptState.none, requestGeneration: c,
            instance: UInt32(i), breakerGeneration: AttemptState.noBreaker, service: UInt16(s)))
        instances[i].workerStarts(now: now, series: &stats.series)
        attempts[attempt].serviceStart = now
        var draw = DrawKey.source(entry.key, services[s].timeSalt)
        let time = services[s].config.serviceTime.sample(&draw, normals: normals)
        queue.schedule(services[s].hasCalls ? .callReady : .serviceDone, at: now + time, a: attempt, b: attempts[attempt].generation)
    }

    /// A processing is over (its service time and calls): delete the message on success (with the latest
    /// receipt only), or with a visibility backoff make it reappear later; then the consumer's next message.
    mutating func messageProcessed(_ attempt: UInt32, service s: Int, now: SimTime, queue: inout EventQueue) {
        let c = attempts[attempt].requestGeneration
        let i = Int(attempts[attempt].instance)
        var draw = DrawKey.source(attempts[attempt].key, services[s].outcomeSalt)
        let succeeded = !attempts[attempt].downstreamFailed && draw.nextUnit() >= services[s].config.errorRate
        instances[i].workerFree(worked: (now - attempts[attempt].serviceStart).nanoseconds, now: now, series: &stats.series)
        attempts.remove(attempt)
        let entry = messageQueues.consumers[Int(c)].batch[messageQueues.consumers[Int(c)].next]
        let id = Int(entry.message)
        let current = messageQueues.messages[id].receipt == entry.receipt && !messageQueues.messages[id].gone
        if succeeded {
            if current {
                // Visible again (its timeout ran out) but not received by anyone since: still deleted.
                if !messageQueues.messages[id].inFlight { messageQueues.queues[s]!.depthGauge.change(by: -1, at: now, in: &stats.series) }
                messageQueues.messages[id].gone = true
                messageQueues.messages[id].inFlight = false
                messageQueues.queues[s]!.deleted += 1
                instances[i].counts.served += 1
                stats.series.add(services[s].columns.served, at: now)
                updateOldest(queue: s, now: now)
            } else {
                // Received again meanwhile, or already deleted: processed twice.
                messageQueues.queues[s]!.duplicates += 1
                stats.series.add(services[s].columns.duplicates, at: now)
            }
        } else if current, messageQueues.messages[id].inFlight,
            let delay = messageQueues.queues[s]!.config.backoff(receives: Int(messageQueues.messages[id].receives))
        {
            messageQueues.messages[id].visibleAt = now + delay  // ChangeMessageVisibility
            queue.schedule(.queueTimer, at: now + delay, a: entry.message, b: entry.receipt)
        }
        messageQueues.consumers[Int(c)].next += 1
        processNext(consumer: c, service: s, now: now, queue: &queue)
    }

    /// A message's visibility timeout (or backoff) ran out: unless deleted, received again or re-timed since, it
    /// is visible again.
    mutating func visibilityExpired(_ id: UInt32, receipt: UInt32, now: SimTime, queue: inout EventQueue) {
        let m = messageQueues.messages[Int(id)]
        guard m.inFlight, !m.gone, m.receipt == receipt, m.visibleAt == now else { return }
        makeVisible(id, queue: Int(m.queue), now: now, events: &queue)
    }

    /// The oldest message not gone of queue `s` may have changed.
    mutating func updateOldest(queue s: Int, now: SimTime) {
        let oldest = messageQueues.collect(queue: s)
        messageQueues.queues[s]!.oldestGauge.set(oldest?.seconds ?? -1, at: now, in: &stats.series)
    }
}
