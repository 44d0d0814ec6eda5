/**
 * A copy of `text` that shares no memory with the string it was cut from.
 *
 * V8 represents a substring of 13 characters or more as a slice that keeps its whole parent alive,
 * and a concatenation as a pair that keeps both parts. Header values and URIs cut from a message's
 * text are such slices, so a Call-ID or tag stored for the lifetime of a call would pin the entire
 * INVITE or 200 OK text (several hundred bytes per dialog). State that outlives the message —
 * dialogs — stores owned copies; transient use of a message needs none.
 */
const SLICE_MIN_LENGTH = 13;

export function ownString(text: string): string {
  return text.length < SLICE_MIN_LENGTH ? text : Buffer.from(text, 'utf8').toString('utf8');
}
