'use client';

import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { api, call } from '@/lib/api-client';
import { formatEventStartLine } from '@/lib/event-time';
import type { MarketEvent } from '@/lib/types';

const SUGGESTIONS = 5;
const DEBOUNCE_MS = 200;

/**
 * Upcoming events matching what is typed, asked for once the typing pauses (GET /api/events?q=
 * &limit=5). An answer for older text never replaces a newer one.
 */
export function useEventSuggestions(text: string): { items: MarketEvent[]; loading: boolean } {
  const [items, setItems] = useState<MarketEvent[]>([]);
  const [loading, setLoading] = useState(false);
  const q = text.trim();

  useEffect(() => {
    if (q.length < 2) {
      setItems([]);
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    const timer = setTimeout(() => {
      call(
        api.GET('/api/events', { params: { query: { q, limit: SUGGESTIONS } }, signal: controller.signal }),
      )
        .then((page) => {
          setItems(page.items);
          setLoading(false);
        })
        .catch(() => {
          if (controller.signal.aborted) return;
          // Suggestions are a help: when they fail, searching still works.
          setItems([]);
          setLoading(false);
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  return { items, loading };
}

/**
 * A text box that suggests events as you type (WAI-ARIA combobox with a listbox popup): arrows
 * move through the suggestions, Enter picks the highlighted one, Escape closes them. With none
 * highlighted, Enter does what the surrounding form does.
 */
export function EventCombobox({
  id,
  name,
  label,
  labelHidden = false,
  value,
  onValueChange,
  onPick,
  placeholder,
  footer,
  describedBy,
  invalid = false,
}: {
  id: string;
  name?: string;
  label: string;
  labelHidden?: boolean;
  value: string;
  onValueChange: (value: string) => void;
  onPick: (event: MarketEvent) => void;
  placeholder?: string;
  /** Shown under the suggestions while they are open (e.g. "Create a new event"). */
  footer?: ReactNode;
  describedBy?: string;
  invalid?: boolean;
}) {
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const { items, loading } = useEventSuggestions(value);
  const box = useRef<HTMLDivElement>(null);
  const shown = open && value.trim().length >= 2;

  useEffect(() => setActive(-1), [items]);

  function pick(event: MarketEvent) {
    setOpen(false);
    setActive(-1);
    onPick(event);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      if (items.length === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      // -1 is the text box itself: past the last suggestion the highlight goes back to it.
      setActive((current) => {
        const next = current + step;
        if (next >= items.length) return -1;
        return next < -1 ? items.length - 1 : next;
      });
    } else if (event.key === 'Enter' && shown && active >= 0 && items[active]) {
      event.preventDefault();
      pick(items[active]);
    } else if (event.key === 'Escape' && shown) {
      event.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  }

  const activeId = shown && active >= 0 && items[active] ? `${listId}-${active}` : undefined;

  return (
    <div
      className="combobox"
      ref={box}
      onBlur={(e) => {
        if (!box.current?.contains(e.relatedTarget)) setOpen(false);
      }}
    >
      <label htmlFor={id} className={labelHidden ? 'visually-hidden' : 'label'}>
        {label}
      </label>
      <input
        id={id}
        name={name}
        type="search"
        className="input"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={activeId}
        aria-describedby={describedBy}
        aria-invalid={invalid}
        placeholder={placeholder}
        value={value}
        maxLength={200}
        autoComplete="off"
        onChange={(e) => {
          onValueChange(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKeyDown}
      />
      <div className="combobox-popup" hidden={!shown}>
        <ul id={listId} role="listbox" aria-label="Matching events" className="combobox-list">
          {items.map((event, index) => (
            <li
              key={event.id}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className="combobox-option"
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(event)}
              onMouseEnter={() => setActive(index)}
            >
              <span className="combobox-option-name">{event.name}</span>
              <span className="combobox-option-meta">
                {formatEventStartLine(event.startsAt, event.timezone)} · {event.venue}, {event.city}
              </span>
            </li>
          ))}
        </ul>
        {items.length === 0 && (
          <p className="combobox-empty" role="status">
            {loading ? 'Searching…' : 'No upcoming events match'}
          </p>
        )}
        {footer && <div className="combobox-footer">{footer}</div>}
      </div>
    </div>
  );
}
