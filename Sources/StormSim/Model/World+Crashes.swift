/// Crashes and restarts (`Service.crash`): an instance that holds more than its threshold for long enough
/// crashes, losing what it held; it restarts after Kubernetes' CrashLoopBackOff, cold at first (warm-up).
extension World {
    /// The attempts instance `i` holds changed: start or end a stretch above its crash threshold. A stretch that
    /// starts arms a check at its end.
    @inline(__always)
    mutating func crashPressure(service s: Int, instance i: Int, now: SimTime, queue: inout EventQueue) {
        guard let crash = services[s].config.crash, !instances[i].crashed else { return }
        let held = instances[i].busy + instances[i].queue.count
        if held <= crash.heldAbove {
            instances[i].overSince = nil
        } else if instances[i].overSince == nil {
            instances[i].overSince = now
            queue.schedule(.faultChanges, at: now + crash.holdFor, a: UInt32(i), b: ConditionChange.crashCheck)
        }
    }

    mutating func instanceLifecycle(_ i: Int, restart: Bool, now: SimTime, queue: inout EventQueue) {
        let s = serviceOf(instance: i)
        if restart {
            // Unless a crash fault window holds it down, or it restarted and crashed again since.
            guard instances[i].crashed, instances[i].restartDue == now else { return }
            restartInstance(i, service: s, now: now)
            return
        }
        guard let crash = services[s].config.crash else { return }
        // A check: crash if the instance has held too much since the stretch this check was armed for began.
        guard !instances[i].crashed, let since = instances[i].overSince, now - since >= crash.holdFor else { return }
        crashInstance(i, service: s, crash: crash, now: now, queue: &queue)
    }

    /// Instance `i` comes back up, cold (warm-up).
    mutating func restartInstance(_ i: Int, service s: Int, now: SimTime) {
        instances[i].crashed = false
        instances[i].restartDue = .never
        instances[i].startedAt = now
        instances[i].downTime += (now - instances[i].crashedAt).nanoseconds
        services[s].downGauge.change(by: -1, at: now, in: &stats.series)
        let range = services[s].instances
        services[s].applyFaults(to: &instances[i], position: i - range.lowerBound)
    }

    /// A `crash` fault window opens (the instances it hits crash, or stay down if they are) or closes (they
    /// restart).
    mutating func crashWindow(service s: Int, fault: Fault, opens: Bool, now: SimTime, queue: inout EventQueue) {
        let range = services[s].instances
        for i in range where fault.hits(instance: i - range.lowerBound) {
            if opens {
                if instances[i].crashed {
                    instances[i].restartDue = .never  // a pending CrashLoopBackOff restart waits for the close
                } else {
                    crashInstance(i, service: s, crash: services[s].config.crash ?? Crash(heldAbove: Int.max), now: now, queue: &queue, held: true)
                }
            } else if instances[i].crashed && instances[i].restartDue == .never {
                restartInstance(i, service: s, now: now)
            }
        }
    }

    /// Instance `i` crashes: what it held is lost (its callers get a reset or nothing), it is down until it
    /// restarts after CrashLoopBackOff's delay, or, `held` by a crash fault window, until the window closes.
    mutating func crashInstance(_ i: Int, service s: Int, crash: Crash, now: SimTime, queue: inout EventQueue, held: Bool = false) {
        instances[i].crashed = true
        instances[i].crashedAt = now
        instances[i].overSince = nil
        instances[i].crashes += 1
        services[s].downGauge.change(by: 1, at: now, in: &stats.series)
        // CrashLoopBackOff: the delay doubles with each crash, and starts over after a long enough run.
        if instances[i].startedAt == .zero || now - instances[i].startedAt >= crash.resetAfter { instances[i].crashStreak = 0 }
        instances[i].crashStreak += 1
        var delay = crash.backoff(restart: instances[i].crashStreak)
        if crash.jitter > 0 {
            var draw = DrawKey.source(DrawKey.child(crashFamily, UInt64(i)), UInt64(instances[i].crashes))
            delay = SimDuration(saturating: Double(delay.nanoseconds) * (1 - crash.jitter * draw.nextUnit()))
        }
        instances[i].restartDue = held ? .never : now + delay
        if !held { queue.schedule(.faultChanges, at: now + delay, a: UInt32(i), b: ConditionChange.restart) }
        let range = services[s].instances
        services[s].applyFaults(to: &instances[i], position: i - range.lowerBound)
        // The queue is lost.
        while let attempt = instances[i].queue.pop(now: now) {
            instances[i].queueGauge.change(by: -1, at: now, in: &stats.series)
            lose(attempt, instance: i, crash: crash, now: now, queue: &queue)
        }
        instances[i].queue = ServiceQueue(services[s].config)
        // So is the work in service: its workers stop, and its pending serviceDone will find it lost (or freed).
        for slot in attempts.items.indices where attempts.items[slot].inService && Int(attempts.items[slot].instance) == i {
            let attempt = UInt32(slot)
            attempts[attempt].inService = false
            attempts[attempt].lost = true
            instances[i].workerFree(worked: (now - attempts[attempt].serviceStart).nanoseconds, now: now, series: &stats.series)
            lose(attempt, instance: i, crash: crash, now: now, queue: &queue)
        }
    }

    /// An attempt that a crash lost: a reset reaches its caller, or nothing does (its caller times out).
    mutating func lose(_ attempt: UInt32, instance i: Int, crash: Crash, now: SimTime, queue: inout EventQueue) {
        instances[i].counts.lost += 1
        switch crash.lose {
        case .reset:
            sendMessage(.responseArrives, a: attempt, b: Outcome.serverError.rawValue, salt: latencyBackSalt, now: now, queue: &queue)
        case .timeout:
            if attempts[attempt].abandoned {
                releaseAttempt(attempt)  // its caller already gave up: nobody will look at it again
            } else {
                attempts[attempt].blackholed = true  // freed when its caller times out
            }
        }
    }

    /// Warm-up: the factor on service time of instance `i` of service `s` now (1 once warm; instances that start
    /// with the run are warm).
    @inline(__always)
    func warmupFactor(service s: Int, instance i: Int, now: SimTime) -> Double {
        guard let crash = services[s].config.crash, crash.warmupFactor > 1, instances[i].startedAt > .zero else { return 1 }
        let elapsed = Double((now - instances[i].startedAt).nanoseconds)
        let period = Double(crash.warmupPeriod.nanoseconds)
        guard elapsed < period else { return 1 }
        return 1 + (crash.warmupFactor - 1) * (1 - elapsed / period)
    }
}
