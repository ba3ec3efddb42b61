using System.Globalization;
using System.Text;

namespace FakeIntercom.Routing;

/// <summary>
/// The opaque <c>starting_after</c> cursor of a paged list: an offset, base64url-encoded so clients
/// cannot rely on its shape; with a nonce, the same offset under a name never given before.
/// </summary>
internal static class PageCursor
{
    private const string Prefix = "fake-cursor:";

    public static string Encode(int offset, long? nonce = null) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + offset.ToString(CultureInfo.InvariantCulture)
                + (nonce is { } n ? ":" + n.ToString(CultureInfo.InvariantCulture) : "")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string cursor, out int offset)
    {
        offset = 0;
        try
        {
            var b64 = cursor.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            if (!text.StartsWith(Prefix, StringComparison.Ordinal)) return false;
            var rest = text.AsSpan(Prefix.Length);
            var nonce = rest.IndexOf(':');
            if (nonce >= 0)
            {
                if (!long.TryParse(rest[(nonce + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _)) return false;
                rest = rest[..nonce];
            }
            return int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
