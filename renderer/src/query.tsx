import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { contract, type MethodInput, type MethodName, type MethodOutput } from '../../shared/contract.ts'
import type { AppErrorValue } from '../../shared/errors.ts'
import { ApiError, call, onActionDone, onSessionChange } from './api.ts'
import { ErrorText } from './components/common.tsx'

/*
 * The query layer: what a screen reads from the core goes through useCall — cached per method and input, with its
 * loading and error states — instead of an effect that sets state and swallows the failure. After any action a person
 * takes succeeds (useSubmit) every query on screen reads again, so a screen never shows what was true before its
 * own change. The cache belongs to one signed-in session: a new session (sign-in, sign-out, expiry)
 * empties it, so the next person at the desk never sees the last one's answers, not even for a moment.
 */

export const queryClient = new QueryClient({
  defaultOptions: {
    // An answer is a reading of evidence records: read it again when asked, never guess on a retry.
    queries: { retry: false, refetchOnWindowFocus: true, staleTime: 0 },
  },
})

// Not after every call: most reads are not marked readOnly in the contract, and a query's own read would set the
// next one off, for ever (tried: the bridge drowned and every 采集 test failed).
onActionDone(() => void queryClient.invalidateQueries())

onSessionChange(() => queryClient.clear())

export function QueryProvider({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
}

/**
 * Read `method` with `input` through the cache; `enabled: false` waits (a case not chosen yet); `everyMs` reads
 * again while the screen is open (volumes that come and go); `refetchOnFocus: false` for a read that is itself
 * logged (a case's access log), which the screen's own actions and timers read again instead.
 */
export function useCall<M extends MethodName>(
  method: M,
  input: MethodInput<M>,
  opts: { enabled?: boolean; everyMs?: number; refetchOnFocus?: boolean } = {},
) {
  return useQuery<MethodOutput<M>, ApiError>({
    queryKey: [method, input],
    queryFn: () => call(method, input),
    enabled: opts.enabled ?? true,
    refetchInterval: opts.everyMs ?? false,
    refetchOnWindowFocus: opts.refetchOnFocus ?? true,
  })
}

/**
 * Put what an action returned into a cached read at once, so the row just changed shows its new state without
 * waiting for the read that follows every action (and then confirms it).
 */
export function patchCall<M extends MethodName>(
  method: M,
  input: MethodInput<M>,
  patch: (old: MethodOutput<M>) => MethodOutput<M>,
): void {
  queryClient.setQueryData<MethodOutput<M>>([method, input], (old) => (old ? patch(old) : old))
}

/** A query's failure as the translated error every form shows (nothing when it did not fail). */
export function QueryError({ query }: { query: { error: ApiError | null } }) {
  const value: AppErrorValue | null = query.error?.value ?? null
  return <ErrorText error={value} />
}

/**
 * Send a form's input after checking it with the contract's own schema, the one the core checks it with: nothing is
 * sent when a field fails, and the error names it by its label (translateError: "输入不符合要求：截止时间").
 */
export async function callChecked<M extends MethodName>(
  method: M,
  input: MethodInput<M>,
): Promise<MethodOutput<M>> {
  const parsed = (contract[method].input as { safeParse(v: unknown): SafeParse }).safeParse(input)
  if (!parsed.success) {
    const paths = [...new Set(parsed.error.issues.map((i) => i.path.map(String).join('.')))]
    throw new ApiError({ code: 'VALIDATION', params: { fields: paths.join(', ') } })
  }
  return call(method, input)
}

type SafeParse = { success: true } | { success: false; error: { issues: { path: PropertyKey[] }[] } }
