import Foundation
import StormSim

/// `stormsim merge DIR...`: combines the shard folders of one run into exactly the outputs a single-machine run
/// would have written.
struct MergeCommand {
    var folders: [String]
    var outDir: String?
    var quiet: Bool

    init(_ args: inout Arguments) throws(CommandError) {
        outDir = try args.value("--out")
        if outDir == "" { throw args.usage("--out is empty (an unset variable in a script?); expected a folder") }
        quiet = args.flag("--quiet")
        folders = try args.positionals()
        guard !folders.isEmpty else { throw args.usage("missing the shard folders (written by 'stormsim run --shard K/N')") }
    }

    func execute() throws(CommandError) {
        Interrupt.shared.startPolling()
        var manifests: [PartialResults.Manifest] = []
        var results: [Int: RunResult] = [:]
        for folder in folders {
            let (manifest, jobs): (PartialResults.Manifest, [(job: Int, result: RunResult)])
            do { (manifest, jobs) = try PartialResults.read(folder: folder) } catch {
                throw CommandError(code: .invalidScenario, message: error.description)
            }
            if let first = manifests.first, !first.sameRun(as: manifest) {
                throw CommandError(code: .invalidScenario, message: "\(folder) is a shard of another run than \(folders[0]) (the scenario, overrides, seed, replications or shard count differ)")
            }
            if let same = manifests.firstIndex(where: { $0.shard == manifest.shard }) {
                throw CommandError(code: .invalidScenario, message: "\(folder) and \(folders[same]) are both shard \(manifest.shard)")
            }
            manifests.append(manifest)
            for (job, result) in jobs {
                guard job < manifest.jobs, manifest.shard.contains(jobIndex: job) else {
                    throw CommandError(code: .invalidScenario, message: "\(folder): job \(job) does not belong to shard \(manifest.shard)")
                }
                guard results[job] == nil else { throw CommandError(code: .invalidScenario, message: "\(folder): job \(job) appears twice") }
                results[job] = result
            }
        }
        let m = manifests[0]
        let missingShards = Set(1...m.shard.n).subtracting(manifests.map(\.shard.k))
        if !missingShards.isEmpty {
            throw CommandError(code: .invalidScenario, message: "shard(s) \(missingShards.sorted().map { "\($0)/\(m.shard.n)" }.joined(separator: ", ")) missing; every shard of the run is needed")
        }
        if let missing = (0..<m.jobs).first(where: { results[$0] == nil }) {
            throw CommandError(code: .invalidScenario, message: "job \(missing) is missing from the shards (an interrupted shard?)")
        }

        let overrides: [Override]
        do { overrides = try m.overrides.map { text throws(OverrideError) in try Override.parse(text) } } catch {
            throw CommandError(code: .failure, message: "shard manifest: \(error.message)")
        }
        var set: ScenarioSet
        do { set = try ScenarioDecoder.decodeSet(text: m.scenarioText, file: m.scenarioFile, overrides: overrides) } catch {
            throw CommandError(code: .invalidScenario, message: "the scenario stored in the shards no longer decodes\n\(error)")
        }
        if let text = m.seed, let seed = UInt64(text) {
            for i in set.variants.indices { set.variants[i].scenario.seed = seed }
        }
        guard set.variants.count * m.replications == m.jobs else {
            throw CommandError(code: .failure, message: "the shards list \(m.jobs) jobs but their scenario makes \(set.variants.count * m.replications)")
        }
        let dir = outDir ?? "results/\(set.name)"
        let folder: ResultFolder
        var replicationFile: StreamingFile?
        do {
            folder = try ResultFolder(
                path: dir, files: ResultWriter.files(
                    variants: set.variants.map(\.name), trace: false, replications: m.replications > 1, instances: set.hasFleets))
            if m.replications > 1 { replicationFile = try folder.stream("replications.csv") }
        } catch { throw CommandError(code: .failure, message: error.description) }
        let writeFailure = FirstMessage()
        let aggregator = Aggregator(
            set: set, replications: m.replications, replicationRow: { [replicationFile] in replicationFile?.write($0) },
            onFinished: RunOutput.seriesWriter(set: set, folder: folder, failure: writeFailure))
        for job in 0..<m.jobs {
            let result = results.removeValue(forKey: job)!
            if let problem = PartialResults.problem(job: job, result, set: set, replications: m.replications) {
                replicationFile?.discard()
                folder.discard()
                throw CommandError(code: .invalidScenario, message: "the shards cannot be merged: \(problem) (a shard from another run, or tampered with)")
            }
            aggregator.add(result, job: job)
        }
        try RunOutput.finish(
            set: set, aggregator: aggregator, folder: folder, replicationFile: replicationFile, writeFailure: writeFailure, traces: nil, events: 0, wall: nil,
            jobs: 1, quiet: quiet)
        if !quiet { print("merged \(manifests.count) shard(s), \(m.jobs) jobs") }
    }
}
