namespace Serve;

/// <summary>Names this app's assembly for <c>WebApplicationFactory&lt;ServeApp&gt;</c> in tests.</summary>
public sealed class ServeApp;
