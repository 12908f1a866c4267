// A trip code beside a name (SPEC §12): the same for one person on every device, different for
// someone else who takes the name later. Discreet: small and muted, explained on hover and to
// screen readers.
export function Trip({ trip }: { trip: string | undefined }) {
  if (!trip) return null;
  return (
    <span class="trip" title="Trip code: the same person shows the same code on every device">
      <span class="sr-only">, trip code </span>◆{trip}
    </span>
  );
}
