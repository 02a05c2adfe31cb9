import ArgumentParser

/// The picture-sync options `images` and `migrate` share.
struct PictureOptions: ParsableArguments {
    @Option(name: .long, help: "Pictures folder (VOLT_IMAGES_DIR; default frontend/public/pictures/electricComponents).")
    var source: String?

    @Flag(name: .long, help: "Delete objects under images/components/ whose local file is gone.")
    var delete = false

    @Option(name: .long, help: "Files processed at once (1-256).")
    var concurrency = 8

    func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 256, not \(concurrency).") }
    }

    /// `--source` as the variable it overrides.
    var overrides: [String: (flag: String, value: String)] {
        source.map { ["VOLT_IMAGES_DIR": ("--source", $0)] } ?? [:]
    }
}
