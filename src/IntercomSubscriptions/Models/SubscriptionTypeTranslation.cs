namespace IntercomSubscriptions;

/// <summary>One locale's name and description of a subscription type.</summary>
public sealed class SubscriptionTypeTranslation
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? Locale { get; set; }

    public override string ToString() => $"{Locale}: {Name}";
}
