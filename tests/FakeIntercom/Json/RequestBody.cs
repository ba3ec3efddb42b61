using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace FakeIntercom.Json;

/// <summary>Reading a request's body.</summary>
internal static class RequestBody
{
    public static async Task<string?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength == 0) return null;
        using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        var text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        return text.Length == 0 ? null : text;
    }

    /// <summary>The body as a JSON object, or null when it is not a JSON object at all.</summary>
    public static JsonElement? ParseObject(string? body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body ?? "");
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
