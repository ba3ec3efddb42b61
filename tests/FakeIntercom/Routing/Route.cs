namespace FakeIntercom.Routing;

/// <summary>
/// One endpoint: a method and a path template whose <c>{name}</c> segments are captured in order
/// and passed to the handler. <see cref="Name"/> ("POST /contacts/search") is what
/// <see cref="FakeIntercomServer.CallCount"/> counts by.
/// </summary>
internal sealed class Route(string method, string template, Func<Pipeline.FakeExchange, IReadOnlyList<string>, Task> handle)
{
    private readonly string[] _segments = template.Trim('/').Split('/');

    public string Name { get; } = method + " " + template;

    public Func<Pipeline.FakeExchange, IReadOnlyList<string>, Task> Handle { get; } = handle;

    /// <summary>The captured segments when the request is for this endpoint, else null.</summary>
    public IReadOnlyList<string>? Match(string requestMethod, IReadOnlyList<string> pathSegments)
    {
        if (!string.Equals(requestMethod, method, StringComparison.OrdinalIgnoreCase) || pathSegments.Count != _segments.Length)
            return null;
        var captured = new List<string>();
        for (var i = 0; i < _segments.Length; i++)
        {
            if (_segments[i].StartsWith('{')) captured.Add(pathSegments[i]);
            else if (!string.Equals(_segments[i], pathSegments[i], StringComparison.Ordinal)) return null;
        }
        return captured;
    }
}
