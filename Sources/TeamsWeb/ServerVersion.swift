/// The version of this server, shown on `/status` and by `teamsview --version`.
public enum ServerVersion {
    public static let text = "1.0.0"
}
