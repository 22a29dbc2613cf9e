/** One currency's amount in the Balance object. */
export interface BalanceAmount {
  amount: number;
  currency: string;
  source_types: { card: number };
}

/** The Balance object of `GET /v1/balance` (the fields the sandbox models). */
export interface BalanceObject {
  object: 'balance';
  available: BalanceAmount[];
  connect_reserved: BalanceAmount[];
  livemode: false;
  pending: BalanceAmount[];
}

/**
 * The platform's balance per currency. Succeeded charges add to it, refunds and transfers take
 * from it, transfer reversals give back. Funds are available at once (Stripe holds card funds as
 * `pending` for a few days; the sandbox behaves as Stripe's `4000000000000077` card does, whose
 * funds skip the pending balance).
 */
export class BalanceService {
  private readonly available = new Map<string, number>();

  /** What is available in `currency` now (0 when nothing was ever charged in it). */
  availableIn(currency: string): number {
    return this.available.get(currency) ?? 0;
  }

  /** Adds (or, with a negative amount, takes) `amount` minor units. Refunds may make it negative, as on Stripe. */
  add(currency: string, amount: number): void {
    this.available.set(currency, this.availableIn(currency) + amount);
  }

  /** `GET /v1/balance`: one entry per currency ever used, usd first when there is none. */
  retrieve(): BalanceObject {
    const entries = [...this.available.entries()];
    if (entries.length === 0) entries.push(['usd', 0]);
    const amounts = (pick: (amount: number) => number) =>
      entries.map(([currency, amount]) => ({
        amount: pick(amount),
        currency,
        source_types: { card: pick(amount) },
      }));
    return {
      object: 'balance',
      available: amounts((amount) => amount),
      connect_reserved: amounts(() => 0),
      livemode: false,
      pending: amounts(() => 0),
    };
  }
}
