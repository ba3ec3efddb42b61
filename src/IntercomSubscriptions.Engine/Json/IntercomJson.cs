using System.Text.Json;

namespace IntercomSubscriptions.Engine;

/// <summary>
/// Reads Intercom's JSON tolerantly: unknown fields are ignored, enum-like values stay strings,
/// and ids are accepted as strings or numbers. Anything that is not the expected shape is an
/// <see cref="IntercomApiException"/> of kind InvalidResponse, never a JsonException.
/// </summary>
/// <remarks>
/// The readers see an answer as <see cref="AnswerReader"/> kept it: only the properties
/// <see cref="AnswerShape"/> names, each string cut to <see cref="LongestStringKeptBytes"/>. A reader
/// that looks at another property must have it added there.
/// </remarks>
internal static class IntercomJson
{
    private const int MaxDepth = 64;
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };
    // Longer than any name, description or email Intercom allows; a longer string is cut, marked with '…'.
    private const int MaxTextLength = 10_000;

    /// <summary>
    /// The bytes of a string's content kept: more than MaxTextLength + 1 characters even if each came as
    /// a six-byte \uXXXX escape and the cut cannot split a surrogate pair, so a string cut here reads the
    /// same (cut at MaxTextLength, '…') as whole.
    /// </summary>
    internal const int LongestStringKeptBytes = (MaxTextLength + 2) * 6;

    private static readonly JsonShape Translation = JsonShape.Object(("name", JsonShape.Value), ("description", JsonShape.Value), ("locale", JsonShape.Value));

    // {"data": [{"id": "108"}], "has_more": false, "total_count": 1}: see WholeIdList.
    private static readonly JsonShape IdList = JsonShape.Object(
        ("data", JsonShape.Array(JsonShape.Object(("id", JsonShape.Value)))), ("has_more", JsonShape.Value), ("total_count", JsonShape.Value));

    // A contact (ReadContact, ReadContactConsent) or a subscription type (ReadSubscriptionType).
    private static readonly JsonShape Item = JsonShape.Object(
        ("id", JsonShape.Value), ("email", JsonShape.Value), ("external_id", JsonShape.Value), ("role", JsonShape.Value),
        ("unsubscribed_from_emails", JsonShape.Value), ("has_hard_bounced", JsonShape.Value), ("marked_email_as_spam", JsonShape.Value),
        ("opted_in_subscription_types", IdList), ("opted_out_subscription_types", IdList),
        ("state", JsonShape.Value), ("consent_type", JsonShape.Value), ("default_translation", Translation),
        ("translations", JsonShape.Array(Translation)), ("content_types", JsonShape.Array(JsonShape.Value)));

    /// <summary>Everything the readers below read from any answer: one object, a list of them with its paging, or an error list.</summary>
    internal static readonly JsonShape AnswerShape = Item.With(
        ("data", JsonShape.Array(Item)), ("total_count", JsonShape.Value),
        ("pages", JsonShape.Object(("next", JsonShape.Object(("starting_after", JsonShape.Value))))),
        ("errors", JsonShape.Array(JsonShape.Object(("code", JsonShape.Value), ("message", JsonShape.Value)))), ("request_id", JsonShape.Value));

    /// <summary>A filter that keeps what the readers read from an answer of <paramref name="declaredLength"/> bytes (if known), at most <paramref name="maxBodyBytes"/>.</summary>
    public static StreamingJsonFilter NewFilter(long? declaredLength, int maxBodyBytes) =>
        new(AnswerShape, LongestStringKeptBytes, MaxDepth, declaredLength, maxBodyBytes + StreamingJsonFilter.MaxWindowBytes);

    /// <summary>What the readers see of a whole <paramref name="body"/>, as <see cref="AnswerReader"/> keeps it from one that streams in.</summary>
    public static AnswerJson Keep(ReadOnlySpan<byte> body)
    {
        using var filter = NewFilter(body.Length, body.Length);
        while (!body.IsEmpty)
        {
            var space = filter.ReadSpace();
            var count = Math.Min(space.Count, body.Length);
            body.Slice(0, count).CopyTo(space.AsSpan());
            filter.Advance(count);
            body = body.Slice(count);
        }
        return filter.Complete();
    }

    private static JsonDocument Parse(ApiResponse response)
    {
        try
        {
            if (response.Body.Invalid is { } invalid) throw invalid;
            return JsonDocument.Parse(response.Body.Json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            var what = ex is JsonTokenTooLongException
                ? $"JSON it does not read ({PrintableText.Escape(ex.Message.Split('.')[0], 200)})"
                : response.NonJsonContentType is { } type
                ? $"a {type} body, not JSON (a proxy, gateway or login page may have answered)"
                : $"a body that is not valid JSON ({PrintableText.Escape(ex.Message.Split('.')[0], 200)})";
            throw response.InvalidBody($"Intercom answered with {what}", ex);
        }
    }

    public static IReadOnlyList<T> ReadList<T>(ApiResponse response, Func<JsonElement, T> readItem) => ReadPage(response, readItem).Items;

    /// <summary>
    /// A list answer read from one parse of the body: its items, the cursor of the next page (null on
    /// the last, or when the answer has no pages) and its total_count, when it says one.
    /// </summary>
    public static (IReadOnlyList<T> Items, string? Next, long? Total) ReadPage<T>(ApiResponse response, Func<JsonElement, T> readItem)
    {
        using var document = ParseObject(response);
        var root = document.RootElement;
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw response.InvalidBody("Intercom answered with JSON that has no 'data' list");
        var items = new List<T>(data.GetArrayLength());
        foreach (var item in data.EnumerateArray())
            items.Add(WithResponse(response, readItem, item));
        string? next = null;
        if (root.TryGetProperty("pages", out var pages) && pages.ValueKind == JsonValueKind.Object
            && pages.TryGetProperty("next", out var nextPage) && nextPage.ValueKind == JsonValueKind.Object)
            next = String(nextPage, "starting_after");
        long? total = root.TryGetProperty("total_count", out var count) && count.ValueKind == JsonValueKind.Number && count.TryGetInt64(out var n) ? n : null;
        return (items, string.IsNullOrEmpty(next) ? null : next, total);
    }

    public static T ReadObject<T>(ApiResponse response, Func<JsonElement, T> read)
    {
        using var document = ParseObject(response);
        return WithResponse(response, read, document.RootElement);
    }

    /// <summary>An item that is not the expected shape still reports the answer's status and request_id.</summary>
    private static T WithResponse<T>(ApiResponse response, Func<JsonElement, T> read, JsonElement element)
    {
        try
        {
            return read(element);
        }
        catch (IntercomApiException ex) when (ex.StatusCode is null)
        {
            throw response.InvalidBody(ex.ApiMessage);
        }
    }

    private static JsonDocument ParseObject(ApiResponse response)
    {
        if (response.BodyIsBlank)
            throw response.InvalidBody("Intercom answered with an empty body");
        var document = Parse(response);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw response.InvalidBody("Intercom answered with JSON that is not an object");
        }
        return document;
    }

    public static SubscriptionTypeData ReadSubscriptionType(JsonElement element)
    {
        var id = String(element, "id");
        if (element.ValueKind != JsonValueKind.Object || string.IsNullOrEmpty(id))
            throw new IntercomApiException(IntercomErrorKind.InvalidResponse, "Intercom returned a subscription type without an id");
        var translations = new List<TranslationData>();
        if (element.TryGetProperty("translations", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object)
                    translations.Add(ReadTranslation(item));
            }
        }
        var contentTypes = new List<string>();
        if (element.TryGetProperty("content_types", out var types) && types.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in types.EnumerateArray())
            {
                var text = AsString(item);
                if (text is not null) contentTypes.Add(text);
            }
        }
        TranslationData? defaultTranslation = null;
        if (element.TryGetProperty("default_translation", out var main) && main.ValueKind == JsonValueKind.Object)
            defaultTranslation = ReadTranslation(main);
        return new SubscriptionTypeData(id!, String(element, "state"), String(element, "consent_type"),
            defaultTranslation, translations, contentTypes);
    }

    public static ContactData ReadContact(JsonElement element)
    {
        var id = String(element, "id");
        if (element.ValueKind != JsonValueKind.Object || string.IsNullOrEmpty(id))
            throw new IntercomApiException(IntercomErrorKind.InvalidResponse, "Intercom returned a contact without an id");
        return new ContactData(id!, String(element, "email"), String(element, "external_id"), String(element, "role"));
    }

    /// <summary>A contact object with its email flags and, when whole, its lists of explicit choices.</summary>
    public static ContactConsentData ReadContactConsent(JsonElement element)
    {
        var contact = ReadContact(element);
        return new ContactConsentData(contact.Id, contact.Email, contact.ExternalId,
            Flag(element, "unsubscribed_from_emails"), Flag(element, "has_hard_bounced"), Flag(element, "marked_email_as_spam"),
            WholeIdList(element, "opted_in_subscription_types"), WholeIdList(element, "opted_out_subscription_types"));
    }

    /// <summary>A page of GET /contacts, read from one parse of the body.</summary>
    public static ContactPageData ReadContactPage(ApiResponse response)
    {
        var (contacts, next, total) = ReadPage(response, ReadContactConsent);
        return new ContactPageData(contacts, next, total);
    }

    private static bool Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>
    /// The ids of a list like <c>{"data": [{"id": "108"}], "has_more": false, "total_count": 1}</c>;
    /// null when the list is absent, not that shape, does not say has_more false, or holds fewer ids than its total:
    /// a partial list must not pass for the contact's whole choice.
    /// </summary>
    private static List<string>? WholeIdList(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Object
            || !list.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            return null;
        // Intercom's documented shape always says has_more; without it, completeness is unknown.
        if (!list.TryGetProperty("has_more", out var hasMore) || hasMore.ValueKind != JsonValueKind.False)
            return null;
        var ids = new List<string>(data.GetArrayLength());
        foreach (var item in data.EnumerateArray())
        {
            var id = String(item, "id");
            if (string.IsNullOrEmpty(id)) return null;
            ids.Add(id!);
        }
        if (list.TryGetProperty("total_count", out var total) && (total.ValueKind != JsonValueKind.Number || !total.TryGetInt64(out var t) || t != ids.Count))
            return null;
        return ids;
    }

    /// <summary>Intercom's error list, if the body is one: the first error's code and message, and the request id.</summary>
    public static (string? Code, string? Message, string? RequestId) ReadErrorList(AnswerJson body)
    {
        if (body.Invalid is not null || body.Json.IsEmpty) return (null, null, null);
        try
        {
            using var document = JsonDocument.Parse(body.Json, DocumentOptions);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null, null);
            string? code = null, message = null;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var error in errors.EnumerateArray())
                {
                    if (error.ValueKind != JsonValueKind.Object) continue;
                    code = String(error, "code");
                    message = String(error, "message");
                    break;
                }
            }
            return (code, message, String(root, "request_id"));
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }

    private static TranslationData ReadTranslation(JsonElement element) =>
        new(String(element, "name"), String(element, "description"), String(element, "locale"));

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? AsString(value) : null;

    /// <summary>
    /// A value as text. Every string a server sends is cleaned (control and formatting characters
    /// escaped) before it reaches a result: an ESC in a name must not drive the user's terminal.
    /// </summary>
    private static string? AsString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => PrintableText.Escape(value.GetString()!, MaxTextLength),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}
