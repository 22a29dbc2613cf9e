import { integer, string } from './params';
import { invalidParam, resourceMissing } from './stripe-error';

/** A page of one of Stripe's lists (`GET /v1/transfers`, `GET /v1/refunds`, ...). */
export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** The cursor and page size of a list request, once parsed. */
export interface ListCursor {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

/**
 * One page of `items` (newest first), as Stripe pages its lists: at most `limit` objects after
 * the one named by `starting_after`, or before the one named by `ending_before`. A cursor that
 * names no object of the list is a 400 `resource_missing` on that parameter, as on Stripe.
 */
export function listPage<T extends { id: string }>(
  items: T[],
  cursor: ListCursor,
  url: string,
  label: string,
): ListObject<T> {
  const indexOf = (id: string, param: string) => {
    const index = items.findIndex((item) => item.id === id);
    if (index < 0) throw resourceMissing(label, id, param, 400);
    return index;
  };
  if (cursor.endingBefore !== undefined) {
    const index = indexOf(cursor.endingBefore, 'ending_before');
    const start = Math.max(0, index - cursor.limit);
    return { object: 'list', data: items.slice(start, index), has_more: start > 0, url };
  }
  const rest =
    cursor.startingAfter !== undefined
      ? items.slice(indexOf(cursor.startingAfter, 'starting_after') + 1)
      : items;
  return { object: 'list', data: rest.slice(0, cursor.limit), has_more: rest.length > cursor.limit, url };
}

/** The cursor parameters every list takes, to spread into its `z.strictObject`. */
export const cursorParams = {
  limit: integer({ min: 1, max: 100 }),
  starting_after: string(),
  ending_before: string(),
};

/** The parsed cursor parameters (default `limit` 10); both cursors at once is refused, as on Stripe. */
export function listCursor(params: {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
}): ListCursor {
  if (params.starting_after !== undefined && params.ending_before !== undefined) {
    throw invalidParam(
      'ending_before',
      'You may only specify one of these parameters: ending_before, starting_after.',
      'parameters_exclusive',
    );
  }
  return {
    limit: params.limit ?? 10,
    startingAfter: params.starting_after,
    endingBefore: params.ending_before,
  };
}
