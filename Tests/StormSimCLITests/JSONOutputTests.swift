import Foundation
import Testing

/// summary.json and --format json: the same numbers as summary.csv, typed; validate and presets as JSON.
@Suite struct JSONOutputTests {
    @Test func summaryJSONHoldsTheCSVNumbers() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scenario = smallScenario.replacingOccurrences(
            of: #"{ "name": "small","#,
            with: #"{ "name": "small", "vary": { "services[0].workers": [2, 4] }, "expect": { "success_rate": { "min": 0.99 } },"#)
        try write(scenario, to: dir.appendingPathComponent("s.json"))
        let r = try stormsim(["run", "s.json", "--out", "out", "--format", "json"], in: dir)
        #expect(r.status == 4, "\(r.stderr)")  // an expectation is missed (exit 4), and the JSON is still printed
        let printed = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let file = try read(dir.appendingPathComponent("out/summary.json"))
        #expect(r.stdout == file)
        #expect(printed["seed"] as? Int == 3 && printed["scenario"] as? String == "small" && printed["expectations_met"] as? Bool == false)
        let variants = printed["variants"] as! [[String: Any]]
        #expect(variants.map { $0["name"] as! String } == ["2", "4"])
        #expect((variants[0]["values"] as! [String: String]) == ["services[0].workers": "2"])
        // Every number is the CSV's cell, digit for digit (Foundation's parser rounds some last digits, so the
        // text is compared); empty cells are null. (The variant's name is text even when it looks like a number.)
        let csv = try read(dir.appendingPathComponent("out/summary.csv")).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let lines = file.split(separator: "\n").filter { $0.contains("\"name\":") }
        for (k, variant) in variants.enumerated() {
            let summary = variant["summary"] as! [String: Any]
            for (c, column) in csv[0].enumerated() where column != "variant" {
                let cell = csv[k + 1][c]
                if Double(cell) != nil {
                    #expect(lines[k].contains("\"\(column)\":\(cell),") || lines[k].contains("\"\(column)\":\(cell)}"), "\(column)")
                } else if cell.isEmpty {
                    #expect(summary[column] is NSNull, "\(column)")
                }
            }
            #expect(summary["variant"] as? String == csv[k + 1][1])
            let expectation = (variant["expectations"] as! [[String: Any]])[0]
            #expect(expectation["metric"] as? String == "success_rate" && expectation["min"] as? Double == 0.99)
            #expect((expectation["met"] as! Bool) == ((expectation["value"] as! Double) >= 0.99))
        }
        let run = try JSONSerialization.jsonObject(with: Data(try read(dir.appendingPathComponent("out/run.json")).utf8)) as! [String: Any]
        #expect(run["seed"] as? Int == 3)
    }

    @Test func validateAndPresetsAsJSON() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(smallScenario, to: dir.appendingPathComponent("good.json"))
        try write(#"{ "name": "bad", "duration": "-1s" }"#, to: dir.appendingPathComponent("bad.json"))
        let v = try stormsim(["validate", "good.json", "bad.json", "--format", "json"], in: dir)
        #expect(v.status == 3)
        let files = try JSONSerialization.jsonObject(with: Data(v.stdout.utf8)) as! [[String: Any]]
        #expect(files.count == 2 && files[0]["valid"] as? Bool == true && files[1]["valid"] as? Bool == false)
        let problems = files[1]["problems"] as! [[String: String]]
        #expect(problems.contains { $0["path"] == "duration" })
        let p = try stormsim(["presets", "grpc", "--format", "json"], in: dir)
        #expect(p.status == 0)
        let presets = try JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as! [[String: Any]]
        #expect(presets.count == 1 && presets[0]["name"] as? String == "grpc")
        #expect((presets[0]["policy"] as! [String: Any])["maxAttempts"] as? Int == 4)
    }
}
