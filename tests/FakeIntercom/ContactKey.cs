namespace FakeIntercom;

/// <summary>
/// One value of a field the fake indexes (<c>id</c>, <c>email</c> case-insensitively, <c>external_id</c>):
/// a search narrowed to keys looks them up instead of scanning every contact.
/// </summary>
internal readonly record struct ContactKey(string Field, string Value)
{
    /// <summary>The fields a search can narrow to.</summary>
    public static bool IsIndexed(string field) => field is "id" or "email" or "external_id";
}
