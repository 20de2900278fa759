// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "stormsim",
    products: [
        .library(name: "StormSim", targets: ["StormSim"]),
        .executable(name: "stormsim", targets: ["StormSimCLI"]),
    ],
    targets: [
        .target(name: "StormSim"),
        .executableTarget(name: "StormSimCLI", dependencies: ["StormSim"]),
        .testTarget(name: "StormSimTests", dependencies: ["StormSim"]),
        .testTarget(name: "StormSimCLITests", dependencies: ["StormSimCLI"]),
        // Uses only the library's public API (no @testable import): what a team's own test suite can do.
        .testTarget(name: "StormSimAPITests", dependencies: ["StormSim"]),
    ],
    swiftLanguageModes: [.v6]
)
