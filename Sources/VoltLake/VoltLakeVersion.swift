/// The version voltlake reports and writes into export metadata.
public enum VoltLakeVersion {
    public static let current = "0.1.0"
}
