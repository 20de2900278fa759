import Foundation
import Testing

@testable import StormSim

/// The engine against closed-form queueing results. Every scenario is open-loop Poisson arrivals (the superposition
/// of n clients at 1 request/s each is Poisson at n/s) into one service with exponential or constant service times,
/// no network latency, no timeouts, no retries and a queue too large to fill.
///
/// Tolerances: the seed-to-seed standard deviation of each estimate was measured over 20-40 seeds at these run
/// lengths (release build, `stormsim run` with `--seed`); each tolerance is about five of those standard deviations,
/// so a correct engine passes with any seed, while a modelling error of the size a bug makes (one service time
/// too many or too few, a wrong discipline) fails. A 200,000 s run of M/M/1 at rho 0.7 gave a mean of 33.33 ms
/// against 33.33 ms, so the estimates carry no bias of their own.
@Suite struct QueueingTheoryTests {
    /// M/M/1 at rho = 0.5: lambda 50/s, mu 100/s. Response time is exponential with rate mu - lambda = 50/s:
    /// mean 20 ms, quantile q at -ln(1 - q) / 50 s. About 200,000 requests.
    /// Measured sd at this length: mean 0.5%, p50 0.6%, p90 0.7%, p99 0.9%.
    @Test func mm1MeanAndPercentiles() throws {
        let s = try scenario(queueingScenario(
            clients: 50, workers: 1, serviceTime: #"{"dist":"exponential","mean":"10ms"}"#, duration: "4000s"))
        let r = Runner.run(s)
        let rate = 50.0  // mu - lambda, per second
        #expect(relativeError(r.value("latency_mean_ms")!, 1000 / rate) < 0.025)
        #expect(relativeError(r.value("latency_p50_ms")!, 1000 * log(2) / rate) < 0.03)
        #expect(relativeError(r.value("latency_p90_ms")!, 1000 * log(10) / rate) < 0.035)
        #expect(relativeError(r.value("latency_p99_ms")!, 1000 * log(100) / rate) < 0.05)
        // Utilization is rho.
        #expect(abs(r.value("s_utilization")! - 0.5) < 0.01)
        #expect(r.value("unfinished")! <= 10)
    }

    /// M/M/c (Erlang C) with c = 4, lambda 300/s, mu 100/s (offered load a = 3, rho 0.75):
    /// W = C(c, a) / (c mu - lambda) + 1 / mu with C = 13.5 / 26.5, so W = 15.094 ms. About 300,000 requests;
    /// measured sd of the mean 0.7%, tolerance 3%. M/M/1 at the same rho would give 40 ms, far outside.
    @Test func mmcMeanMatchesErlangC() throws {
        let s = try scenario(queueingScenario(
            clients: 300, workers: 4, serviceTime: #"{"dist":"exponential","mean":"10ms"}"#, duration: "1000s"))
        let r = Runner.run(s)
        let expected = 1000 * (erlangC(servers: 4, offered: 3) / (400 - 300) + 1.0 / 100)
        #expect(abs(expected - 15.0943) < 0.001)
        #expect(relativeError(r.value("latency_mean_ms")!, expected) < 0.03)
    }

    /// M/D/1 (Pollaczek-Khinchine) at rho 0.7, constant 10 ms service: W = 1/mu + rho / (2 mu (1 - rho)) =
    /// 21.667 ms (M/M/1 would be 33.3 ms). About 140,000 requests; measured sd 0.8%, tolerance 4%.
    @Test func md1MeanMatchesPollaczekKhinchine() throws {
        let s = try scenario(queueingScenario(
            clients: 70, workers: 1, serviceTime: #"{"dist":"constant","value":"10ms"}"#, duration: "2000s"))
        let r = Runner.run(s)
        let rho = 0.7, mu = 100.0
        let expected = 1000 * (1 / mu + rho / (2 * mu * (1 - rho)))
        #expect(relativeError(r.value("latency_mean_ms")!, expected) < 0.04)
    }

    /// LIFO serves the same work: the mean response time of M/M/1 is the same as FIFO (work-conserving,
    /// service times not used in the order), but the tail is far longer.
    @Test func lifoKeepsTheMeanAndStretchesTheTail() throws {
        let json = queueingScenario(
            clients: 70, workers: 1, serviceTime: #"{"dist":"exponential","mean":"10ms"}"#, duration: "2000s")
        let fifo = Runner.run(try scenario(json))
        let lifoJSON = json.replacingOccurrences(of: #""capacity": 10000000"#, with: #""capacity": 10000000, "discipline": "lifo""#)
        let lifo = Runner.run(try scenario(lifoJSON))
        #expect(relativeError(lifo.value("latency_mean_ms")!, 1000.0 / 30) < 0.05)
        #expect(lifo.value("latency_p999_ms")! > 1.5 * fifo.value("latency_p999_ms")!)
    }

    /// Erlang C: the probability that an arrival waits, for c servers and offered load a (< c).
    func erlangC(servers c: Int, offered a: Double) -> Double {
        var term = 1.0, sum = 0.0
        for k in 0..<c {
            if k > 0 { term *= a / Double(k) }
            sum += term
        }
        let top = term * a / Double(c) * Double(c) / (Double(c) - a)
        return top / (sum + top)
    }
}
