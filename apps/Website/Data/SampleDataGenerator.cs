namespace Website.Data;

/// <summary>
/// Deterministic synthetic shop data: given the same seed, catalogue and anchor time it yields the same
/// orders. Popular products dominate (top-N is meaningful) and recent days are busier (growth).
/// </summary>
public sealed class SampleDataGenerator
{
    /// <summary>Customers created per workspace.</summary>
    public const int CustomersPerWorkspace = 40;

    private static readonly string[] FirstNames =
    [
        "Ada", "Ben", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
        "Kemi", "Luca", "Maya", "Nils", "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tess",
    ];

    private static readonly string[] LastNames =
    [
        "Andersen", "Baker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ivanova", "Jansen",
        "Kowalski", "Lopez", "Moreau", "Novak", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Weber",
    ];

    private readonly IReadOnlyList<(int Id, int PriceCents)> _products;
    private readonly Random _random;

    /// <summary>Creates a generator over the product catalogue (id, price) with a fixed random seed.</summary>
    public SampleDataGenerator(IReadOnlyList<(int Id, int PriceCents)> products, int seed)
    {
        ArgumentNullException.ThrowIfNull(products);
        if (products.Count == 0)
        {
            throw new ArgumentException("The product catalogue is empty; run `migrate` first.", nameof(products));
        }

        _products = products;
        _random = new Random(seed);
    }

    /// <summary>The customer names of one workspace (ids 1..CustomersPerWorkspace).</summary>
    public IEnumerable<(int Id, string Name)> Customers()
    {
        for (var id = 1; id <= CustomersPerWorkspace; id++)
        {
            yield return (id, $"{FirstNames[_random.Next(FirstNames.Length)]} {LastNames[_random.Next(LastNames.Length)]}");
        }
    }

    /// <summary>Generates <paramref name="count"/> orders for one workspace spread over the <paramref name="days"/> before <paramref name="nowUtc"/>.</summary>
    public IEnumerable<OrderRow> Orders(long workspaceId, int count, DateTime nowUtc, int days)
    {
        var span = TimeSpan.FromDays(days).Ticks;
        for (var i = 0; i < count; i++)
        {
            // sqrt skews offsets toward now: the shop is growing.
            var ago = (long)(span * (1 - Math.Sqrt(_random.NextDouble())));
            var createdAt = nowUtc.AddTicks(-ago - 1);

            // Squaring skews toward low indexes: a few products sell most.
            var product = _products[(int)(_products.Count * _random.NextDouble() * _random.NextDouble())];
            var quantity = 1 + (_random.Next(10) < 7 ? 0 : _random.Next(1, 4));
            var amount = (long)Math.Round(product.PriceCents * quantity * (0.9 + (0.2 * _random.NextDouble())));
            var roll = _random.Next(100);
            var status = roll < 85 ? "paid" : roll < 92 ? "refunded" : roll < 97 ? "pending" : "cancelled";
            yield return new OrderRow(workspaceId, createdAt, 1 + _random.Next(CustomersPerWorkspace), product.Id, quantity, amount, status);
        }
    }
}
