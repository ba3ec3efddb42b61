using System.Globalization;
using System.Text;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Text from outside (a value the user gave, a server's message) made safe to show: control,
/// formatting and lone surrogate characters escaped as \uXXXX, so that no terminal escape sequence,
/// line break or right-to-left override reaches a message or a result, and cut to a length.
/// </summary>
internal static class PrintableText
{
    private const int ShortLength = 40;

    /// <summary>At most 40 characters (then '…'), escaped: for naming a bad value in a message.</summary>
    public static string Shortened(string value) =>
        Escape(value.Length <= ShortLength ? value : value.Substring(0, ShortLength) + "…", int.MaxValue);

    /// <summary>Escaped, and cut at <paramref name="maxLength"/> characters (marked with '…').</summary>
    public static string Escape(string value, int maxLength)
    {
        var builder = new StringBuilder();
        var i = 0;
        for (; i < value.Length && builder.Length < maxLength; i++)
        {
            var c = value[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            if (pair)
            {
                builder.Append(c).Append(value[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
        return i < value.Length ? builder.Append('…').ToString() : builder.ToString();
    }
}
