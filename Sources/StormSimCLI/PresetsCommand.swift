import StormSim

/// `stormsim presets [NAME]`: the real-world policies stormsim reproduces, with their parameters and sources.
struct PresetsCommand {
    var name: String?
    var json: Bool

    init(_ args: inout Arguments) throws(CommandError) {
        json = try args.jsonFormat()
        let names = try args.positionals()
        guard names.count <= 1 else { throw args.usage("expected at most one preset NAME, found \(names.count)") }
        name = names.first
        if let name, Preset.named(name) == nil {
            let guess = Suggest.closest(to: name, among: Preset.all.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
            throw args.usage("no preset named '\(name)'\(guess) ('stormsim presets' lists them)")
        }
    }

    func execute() {
        let chosen = name.map { [Preset.named($0)!] } ?? Preset.all
        if json {
            let items: [JSONValue] = chosen.map { preset in
                .object([
                    JSONMember(key: "name", value: .string(preset.name)), JSONMember(key: "summary", value: .string(preset.summary)),
                    JSONMember(key: "source", value: .string(preset.source)),
                    JSONMember(key: "policy", value: (try? JSONParser.parse(preset.policy.compactText)) ?? .string(preset.policy.compactText)),
                ])
            }
            print(JSONValue.array(items).compactText)
            return
        }
        var blocks: [String] = []
        for preset in chosen {
            var lines = ["\(preset.name)", "  \(preset.summary)", "  source: \(preset.source)"]
            lines.append("  keys:   " + preset.policy.compactText)
            blocks.append(lines.joined(separator: "\n"))
        }
        print(blocks.joined(separator: "\n\n"))
        if name == nil {
            print("\nUse one with \"policy\": {\"preset\": \"NAME\", ...}; keys beside it override the preset's.")
        }
    }
}
