import Foundation
import Testing

/// `stormsim init` writes a scenario that runs as is; `explain` shows values and warnings; `--strict` fails on
/// warnings in run, validate and explain.
@Suite struct InitExplainTests {
    @Test func initWritesAScenarioThatValidatesAndRunsWithoutWarnings() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let made = try stormsim(["init", "checkout.json", "--chain", "2", "--arrival", "closed"], in: dir)
        #expect(made.status == 0 && made.stdout.contains("Wrote checkout.json: clients -> api -> payments"))
        let text = try read(dir.appendingPathComponent("checkout.json"))
        #expect(text.contains("\"name\": \"checkout\"") && text.contains("\"//\":") && text.contains("\"$schema\""))
        let validated = try stormsim(["validate", "--strict", "checkout.json"], in: dir)
        #expect(validated.status == 0 && validated.stderr.isEmpty, "\(validated.stderr)")
        let run = try stormsim(["run", "checkout.json", "--strict", "--quiet"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let series = try read(dir.appendingPathComponent("results/checkout/summary.csv"))
        #expect(series.contains("no-retries") && series.contains("3-attempts"))
        // It does not overwrite, unless told to.
        let again = try stormsim(["init", "checkout.json"], in: dir)
        #expect(again.status == 1 && again.stderr.contains("checkout.json exists"))
        #expect(try read(dir.appendingPathComponent("checkout.json")) == text)
        #expect(try stormsim(["init", "checkout.json", "--force", "--preset", "aws-standard"], in: dir).status == 0)
        #expect(try read(dir.appendingPathComponent("checkout.json")).contains("\"preset\": \"aws-standard\""))
    }

    @Test func initRefusesBadOptions() throws {
        let preset = try stormsim(["init", "x.json", "--preset", "grcp"])
        #expect(preset.status == 2 && preset.stderr.contains("did you mean 'grpc'?"))
        let arrival = try stormsim(["init", "x.json", "--arrival", "bursty"])
        #expect(arrival.status == 2 && arrival.stderr.contains("did you mean 'burst'?"))
        let chain = try stormsim(["init", "x.json", "--chain", "9"])
        #expect(chain.status == 2 && chain.stderr.contains("--chain expects a number of services from 1 to 8"))
        let stdout = try stormsim(["init", "-", "--chain", "1"])
        #expect(stdout.status == 0 && stdout.stdout.hasPrefix("{") && !stdout.stdout.contains("payments"))
    }

    @Test func explainShowsSourcesAndWarningsAndStrictFails() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try stormsim(["init", "s.json", "--preset", "aws-standard"], in: dir).status == 0)
        let explained = try stormsim(["explain", "s.json"], in: dir)
        #expect(explained.status == 0)
        let line = explained.stdout.split(separator: "\n").first { $0.contains("clients.policy.budget.capacity") }
        #expect(line?.hasSuffix("preset aws-standard") == true)
        #expect(explained.stdout.contains("[shared-bucket]"))
        #expect(explained.stdout.contains("bank: capacity about 600/s, offered 400/s, utilization 0.67"))
        let strict = try stormsim(["explain", "s.json", "--strict"], in: dir)
        #expect(strict.status == 3)
        let run = try stormsim(["run", "s.json", "--strict"], in: dir)
        #expect(run.status == 3 && run.stderr.contains("Warning: s.json: clients.hosts:"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results").path))
        let validate = try stormsim(["validate", "s.json", "--format", "json"], in: dir)
        #expect(validate.status == 0 && validate.stdout.contains("\"kind\":\"shared-bucket\""))
        // A fix named in the warning removes it.
        let fixed = try stormsim(["validate", "s.json", "--strict", "--set", "clients.hosts=200"], in: dir)
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let json = try stormsim(["explain", "s.json", "--format", "json", "--set", "clients.hosts=200"], in: dir)
        #expect(json.stdout.contains(#"{"path":"clients.hosts","value":200,"source":"--set"}"#) && json.stdout.contains(#""warnings":[]"#))
    }
}
