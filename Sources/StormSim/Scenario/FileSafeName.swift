/// Names that become file or column names.
enum FileSafeName {
    /// The longest variant name: `<name>.csv` must fit a file name of 255 bytes (Linux, macOS).
    static let maxVariantBytes = 251

    /// Why `name` is not safe, or nil when it is.
    static func problem(_ name: String, allowDots: Bool = true) -> String? {
        if name.isEmpty { return "is empty" }
        if name.count > 100 { return "is longer than 100 characters" }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
                || (allowDots && $0 == ".")
        }
        if !allowed {
            return allowDots
                ? "may contain only letters, digits, '.', '-' and '_' (no path separators)"
                : "may contain only letters, digits, '-' and '_'"
        }
        if name.hasPrefix(".") { return "may not start with '.'" }
        return nil
    }
}
