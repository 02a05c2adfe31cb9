// swift-tools-version:6.1
import PackageDescription

// Presign throughput: our SigV4 signer on one thread. Run bench/presign/run.sh (release build,
// pinned to one core, side by side with boto3's generate_presigned_url).
let package = Package(
    name: "presign-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "voltlake", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "presign-bench",
            dependencies: [.product(name: "SigV4", package: "voltlake")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
