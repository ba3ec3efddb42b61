using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace FakeIntercom.Json;

/// <summary>Writes JSON answers and Intercom's error.list the way the real API shapes them.</summary>
internal static class ResponseWriter
{
    public const string JsonContentType = "application/json; charset=utf-8";

    private static readonly JsonSerializerOptions JsonOut = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static async Task WriteJsonAsync(HttpContext ctx, int status, JsonNode node, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString(JsonOut));
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = JsonContentType;
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
    }

    public static Task WriteErrorAsync(HttpContext ctx, string requestId, int status, string code, string message, CancellationToken ct)
    {
        var node = new JsonObject
        {
            ["type"] = "error.list",
            ["request_id"] = requestId,
            ["errors"] = new JsonArray
            {
                new JsonObject { ["code"] = code, ["message"] = message, ["field"] = null },
            },
        };
        return WriteJsonAsync(ctx, status, node, ct);
    }
}
