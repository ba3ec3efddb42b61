using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace FakeIntercom.Json;

/// <summary>
/// Writes JSON answers and Intercom's error.list the way the real API shapes them, optionally
/// padded to a huge size or dripped out slowly (<see cref="BodyShape"/>).
/// </summary>
internal static class ResponseWriter
{
    public const string JsonContentType = "application/json; charset=utf-8";

    private const int WriteChunkBytes = 64 * 1024;
    private static readonly byte[] PaddingChunk = Enumerable.Repeat((byte)'x', WriteChunkBytes).ToArray();
    private static readonly byte[] PaddingOpen = ",\"padding\":\""u8.ToArray();
    private static readonly byte[] PaddingClose = "\"}"u8.ToArray();

    private static readonly JsonSerializerOptions JsonOut = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static async Task WriteJsonAsync(HttpContext ctx, int status, JsonNode node, CancellationToken ct, BodyShape shape = default)
    {
        var json = Encoding.UTF8.GetBytes(node.ToJsonString(JsonOut));
        // Padding goes inside the object, as one more (ignorable) property: the answer stays valid JSON.
        var padding = status is >= 200 and < 300 && node is JsonObject
            ? Math.Max(0L, shape.PadToBytes - json.Length - PaddingOpen.Length - PaddingClose.Length + 1)
            : 0L;
        var body = padding > 0
            ? new BodyParts(json.AsMemory(0, json.Length - 1), padding, PaddingOpen, PaddingClose)
            : new BodyParts(json, 0, default, default);

        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = JsonContentType;
        if (shape.DripChunkBytes > 0)
        {
            // No Content-Length: chunked transfer encoding, a few bytes at a time.
            await body.WriteAsync(ctx.Response, shape.DripChunkBytes, TimeSpan.FromMilliseconds(shape.DripIntervalMs), ct).ConfigureAwait(false);
            return;
        }
        ctx.Response.ContentLength = body.Length;
        await body.WriteAsync(ctx.Response, WriteChunkBytes, TimeSpan.Zero, ct).ConfigureAwait(false);
    }

    public static Task WriteErrorAsync(HttpContext ctx, string requestId, int status, string code, string message, CancellationToken ct,
        BodyShape shape = default)
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
        return WriteJsonAsync(ctx, status, node, ct, shape);
    }

    /// <summary>The JSON before the padding, <c>Padding</c> bytes of 'x' (never held in memory whole), and what closes it.</summary>
    private readonly record struct BodyParts(ReadOnlyMemory<byte> Head, long Padding, ReadOnlyMemory<byte> PaddingStart, ReadOnlyMemory<byte> Tail)
    {
        public long Length => Head.Length + (Padding > 0 ? PaddingStart.Length + Padding + Tail.Length : 0);

        public async Task WriteAsync(HttpResponse response, int chunkBytes, TimeSpan pause, CancellationToken ct)
        {
            var first = true;
            async Task Send(ReadOnlyMemory<byte> bytes)
            {
                for (var at = 0; at < bytes.Length; at += chunkBytes)
                {
                    if (!first && pause > TimeSpan.Zero)
                    {
                        await response.Body.FlushAsync(ct).ConfigureAwait(false);
                        await Task.Delay(pause, ct).ConfigureAwait(false);
                    }
                    first = false;
                    await response.Body.WriteAsync(bytes.Slice(at, Math.Min(chunkBytes, bytes.Length - at)), ct).ConfigureAwait(false);
                }
            }

            await Send(Head).ConfigureAwait(false);
            if (Padding <= 0) return;
            await Send(PaddingStart).ConfigureAwait(false);
            for (var left = Padding; left > 0; left -= WriteChunkBytes)
                await Send(PaddingChunk.AsMemory(0, (int)Math.Min(WriteChunkBytes, left))).ConfigureAwait(false);
            await Send(Tail).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// How an answer's body goes out: padded to at least <see cref="PadToBytes"/> (2xx JSON objects only;
/// 0 = as is), and dripped <see cref="DripChunkBytes"/> at a time with <see cref="DripIntervalMs"/>
/// between chunks (0 = all at once).
/// </summary>
internal readonly record struct BodyShape(long PadToBytes, int DripChunkBytes, int DripIntervalMs);
