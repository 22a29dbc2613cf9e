import { accounts } from '../src/ledger/ledger';
import { splitRefund } from '../src/payouts/refund-sale';

/** A charge of 5,599 taken back: 5,000 to the seller's payable, 599 of fee. */
const undone = [
  { account: accounts.stripeBalance, amount: -5599 },
  { account: accounts.sellerPayable('s1'), amount: 5000 },
  { account: accounts.platformFees, amount: 599 },
];
const sum = (entries: { amount: number }[]) => entries.reduce((total, entry) => total + entry.amount, 0);

describe('splitRefund', () => {
  it('books a whole refund as the charge taken back', () => {
    expect(splitRefund(undone, [{ reference: 're_1', amount: 5599 }])).toEqual([undone]);
  });

  it('splits the charge over its refunds: each balanced, each its amount, together the whole', () => {
    const parts = [
      { reference: 're_dashboard', amount: 1000 },
      { reference: 're_rest', amount: 4599 },
    ];
    const split = splitRefund(undone, parts)!;
    expect(split).toHaveLength(2);
    split.forEach((entries, i) => {
      expect(sum(entries)).toBe(0);
      expect(entries.find((e) => e.account === accounts.stripeBalance)?.amount).toBe(-parts[i]!.amount);
    });
    for (const { account, amount } of undone) {
      expect(sum(split.flat().filter((e) => e.account === account))).toBe(amount);
    }
    // 1,000 of 5,599: 893.0… of the payable and 106.9… of the fee, the cent of rounding on the payable.
    expect(split[0]).toEqual([
      { account: accounts.stripeBalance, amount: -1000 },
      { account: accounts.sellerPayable('s1'), amount: 894 },
      { account: accounts.platformFees, amount: 106 },
    ]);
  });

  it('keeps every part balanced over many small refunds', () => {
    const parts = Array.from({ length: 7 }, (_, i) => ({
      reference: `re_${i}`,
      amount: 799 + (i === 6 ? 6 : 0),
    }));
    const split = splitRefund(undone, parts)!;
    for (const entries of split) expect(sum(entries)).toBe(0);
    expect(sum(split.flat().filter((e) => e.account === accounts.platformFees))).toBe(599);
  });

  it('answers null for refunds that do not add up to the charge', () => {
    expect(splitRefund(undone, [{ reference: 're_1', amount: 1000 }])).toBeNull();
    expect(splitRefund(undone, [])).toBeNull();
  });
});
