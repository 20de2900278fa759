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
    ],
    swiftLanguageModes: [.v6]
)
