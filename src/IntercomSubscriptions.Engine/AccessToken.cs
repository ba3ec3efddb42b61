using System.Runtime.InteropServices;
using System.Security;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// The connection's access token. It leaves its SecureString only for the moment it takes to build
/// a header or to look for it in server text. Disposing this disposes the SecureString.
/// </summary>
internal sealed class AccessToken : IDisposable
{
    private readonly SecureString _secret;

    /// <param name="secret">A copy this object now owns.</param>
    public AccessToken(SecureString secret) => _secret = secret;

    /// <summary>The token's length, or int.MaxValue once disposed (no token left to find).</summary>
    public int Length
    {
        get
        {
            try
            {
                return _secret.Length;
            }
            catch (ObjectDisposedException)
            {
                return int.MaxValue;
            }
        }
    }

    /// <summary>The token as text; throws ObjectDisposedException once the connection is closed.</summary>
    public string Reveal()
    {
        var pointer = IntPtr.Zero;
        try
        {
            pointer = Marshal.SecureStringToGlobalAllocUnicode(_secret);
            return Marshal.PtrToStringUni(pointer, _secret.Length);
        }
        finally
        {
            if (pointer != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }

    /// <summary>
    /// Why the token cannot be sent, or null. A control character (a NUL from a file read as UTF-16,
    /// a line break) would be cut off or refused on the way; the message never shows the token.
    /// </summary>
    public string? Problem()
    {
        var text = Reveal();
        if (text.Length == 0)
            return "The access token is empty.";
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]))
                return $"The access token contains a control character (U+{(int)text[i]:X4}) at position {i + 1} of {text.Length}; Intercom access tokens are printable text. Check how the token was read or pasted.";
        }
        return null;
    }

    public void Dispose() => _secret.Dispose();
}
