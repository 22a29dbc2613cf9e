import { AppError, notFound } from '@glotixz/common/errors';
import type { TicketsDb } from '../db/db';
import { staffRepo } from './staff.repo';
import type { Attendance, StaffMember } from './staff.schemas';

/** Who is asking: the signed-in user's id and email. */
export interface Scanner {
  id: string;
  email: string;
}

const notOrganizer = () =>
  new AppError('NOT_EVENT_STAFF', 'Only the organizer of this event can manage its door staff');
const notStaff = () => new AppError('NOT_EVENT_STAFF', 'You are not door staff of this event');

const toMember = (row: { email: string; addedAt: Date }): StaffMember => ({
  email: row.email,
  addedAt: row.addedAt.toISOString(),
});

/**
 * Door staff of events and who may work their door. Events are public, so a user who may not
 * manage or scan for one is told so (403 `NOT_EVENT_STAFF`) rather than 404.
 */
export function createStaffService(db: TicketsDb) {
  const repo = staffRepo(db);

  async function requireOrganizer(eventId: string, user: Scanner): Promise<void> {
    const organizerId = await repo.organizerOf(eventId);
    if (organizerId === undefined) throw notFound('Event');
    if (organizerId !== user.id) throw notOrganizer();
  }

  return {
    /**
     * Throws unless `user` works the event's door: its organizer, or an email on its staff.
     * 404 when there is no such event.
     */
    async requireDoorAccess(eventId: string, user: Scanner): Promise<void> {
      const organizerId = await repo.organizerOf(eventId);
      if (organizerId === undefined) throw notFound('Event');
      if (organizerId === user.id) return;
      if (!(await repo.isStaff(eventId, user.email.trim().toLowerCase()))) throw notStaff();
    },

    /** Adds an email to the event's staff (organizer only); `created` is false when it was there. */
    async add(
      eventId: string,
      user: Scanner,
      email: string,
    ): Promise<{ member: StaffMember; created: boolean }> {
      await requireOrganizer(eventId, user);
      const { created, ...row } = await repo.add(eventId, email);
      return { member: toMember(row), created };
    },

    async list(eventId: string, user: Scanner): Promise<StaffMember[]> {
      await requireOrganizer(eventId, user);
      return (await repo.list(eventId)).map(toMember);
    },

    /** Removes an email from the event's staff (organizer only); 404 when it is not on it. */
    async remove(eventId: string, user: Scanner, email: string): Promise<void> {
      await requireOrganizer(eventId, user);
      if (!(await repo.remove(eventId, email))) throw notFound('Staff member');
    },

    /** The event's sold, admitted and still-to-come tickets, for its organizer and staff. */
    async attendance(eventId: string, user: Scanner): Promise<Attendance> {
      await this.requireDoorAccess(eventId, user);
      return repo.attendance(eventId);
    },
  };
}

/** Door staff of events. */
export type StaffService = ReturnType<typeof createStaffService>;
