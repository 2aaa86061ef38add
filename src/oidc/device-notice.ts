/**
 * What the device code input page says when oidc-provider sends a person back to it. The
 * provider re-renders that page for every outcome that is not a success — a code that is wrong,
 * expired or used, but also the person's own Abort on the confirm page and their Cancel at
 * sign-in or Deny at consent — so one "code not valid" message would tell someone who chose to
 * stop that they typed the code wrong.
 */
export interface DeviceNotice {
  message: string;
  status: number;
}

const INVALID = 'That code is not valid or has expired. Check your device and try again.';

/** `error` is the error oidc-provider passes to `userCodeInputSource`, if any. */
export function deviceInputNotice(error: Error | undefined, out: { error?: unknown } | undefined): DeviceNotice | undefined {
  if (!error) return undefined;
  // AbortedError: Abort on the confirm page; access_denied: Cancel or Deny in the interaction.
  if (error.name === 'AbortedError' || out?.error === 'access_denied') {
    return { message: 'The device was not connected: you chose to stop. Start again on your device if that was a mistake.', status: 200 };
  }
  if (error.name === 'NoCodeError') return { message: 'Enter the code shown on your device.', status: 400 };
  if (error.name === 'AlreadyUsedError') return { message: 'That code has already been used. Start again on your device to get a new one.', status: 400 };
  return { message: INVALID, status: 400 };
}
