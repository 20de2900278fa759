/// The version of stormsim, written into `summary.json` and printed by `stormsim --version`. The release workflow
/// sets it from the tag (v1.2.3 gives 1.2.3) before it builds; a build from a clone says what it was cut from.
public enum StormSimVersion {
    public static let text = "0.1.0"
}
