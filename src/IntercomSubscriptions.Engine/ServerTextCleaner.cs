using System.Net.Http.Headers;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Text a server (or whatever answered in its place) sent, made fit to show: never the token (a
/// proxy may echo the request back), no control characters, not endless.
/// </summary>
internal sealed class ServerTextCleaner
{
    private readonly AccessToken _token;

    public ServerTextCleaner(AccessToken token) => _token = token;

    public string? Clean(string? text, int maxLength)
    {
        if (text is null) return null;
        // Most of what a server sends (request ids, "OK", content types) is shorter than the token and
        // cannot contain it; only longer text is worth taking the token out of its SecureString for.
        if (text.Length > 0 && text.Length >= _token.Length)
        {
            string token;
            try
            {
                token = _token.Reveal();
            }
            catch (ObjectDisposedException)
            {
                token = "";
            }
            if (token.Length > 0 && text.IndexOf(token, StringComparison.Ordinal) >= 0)
                text = text.Replace(token, "****");
        }
        return PrintableText.Escape(text, maxLength);
    }

    /// <summary>Intercom's X-Request-Id (what its support asks for), cleaned for showing, or null.</summary>
    public string? RequestId(HttpResponseHeaders headers) =>
        headers.TryGetValues("X-Request-Id", out var ids) ? Clean(ids.FirstOrDefault(), 100) : null;
}
