public enum EntropyGuardVersion {
    public static let string = "2.0.0-dev"
}
