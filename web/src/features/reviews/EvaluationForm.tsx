import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { ApiError, api, send } from '../../api/client';
import { applicationQuery, keys, programQuery } from '../../api/queries';
import { Button } from '../../components/Button';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field, FieldSet } from '../../components/Field';
import { LoadError, Page } from '../../components/Page';
import { When } from '../../components/When';

const route = getRouteApi('/signed-in/evaluations/$applicationId/$number');

const RATINGS = [
  { id: 'tasksAndMilestones', title: 'Tasks and milestones' },
  { id: 'engagement', title: 'Engagement' },
  { id: 'progressAgainstPlan', title: 'Progress against the plan' },
] as const;
type RatingId = (typeof RATINGS)[number]['id'];

const RECOMMENDATIONS = [
  { id: 'pass', title: 'Pass', hint: 'the installment that follows is paid' },
  {
    id: 'extend',
    title: 'Extend',
    hint: 'this evaluation and every later deadline move by the days you give',
  },
  { id: 'terminate-with-pay', title: 'End the mentorship, pay the earned installment', hint: '' },
  { id: 'terminate-without-pay', title: 'End the mentorship without pay', hint: '' },
] as const;
type Recommendation = (typeof RECOMMENDATIONS)[number]['id'];

export function EvaluationForm() {
  const { applicationId, number: raw } = route.useParams();
  const number = Number(raw);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const status = useQuery(applicationQuery(applicationId));
  const program = useQuery({ ...programQuery(status.data?.programId ?? ''), enabled: Boolean(status.data) });
  const [ratings, setRatings] = useState<Partial<Record<RatingId, number>>>({});
  const [recommendation, setRecommendation] = useState<Recommendation | ''>('');
  const [extendDays, setExtendDays] = useState('');
  const [comments, setComments] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const passMinimum = program.data?.definition.evaluationPolicy?.passMinimumRating ?? null;
  const maxExtension = program.data?.definition.maxExtensionDays ?? 35;

  const submit = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/applications/{applicationId}/evaluations/{number}', {
          params: { path: { applicationId, number } },
          headers,
          body: {
            ratings: ratings as Record<RatingId, number>,
            comments,
            recommendation: recommendation as Recommendation,
            ...(recommendation === 'extend' ? { extendDays: Number(extendDays) } : {}),
          },
        }),
      ),
    onSuccess: async (answer) => {
      queryClient.setQueryData(keys.application(applicationId), answer.application);
      await queryClient.invalidateQueries({ queryKey: ['evaluations'] });
      await navigate({ to: '/evaluations' });
    },
  });

  /** The contradictions the API refuses, shown at their field before anything is sent. */
  const check = (): Record<string, string> => {
    const found: Record<string, string> = {};
    for (const r of RATINGS) if (!ratings[r.id]) found[`ratings.${r.id}`] = 'choose a rating from 1 to 5';
    if (!recommendation) found.recommendation = 'choose a recommendation';
    if (
      recommendation === 'pass' &&
      passMinimum !== null &&
      RATINGS.some((r) => (ratings[r.id] ?? 0) < passMinimum)
    ) {
      found.recommendation = `a pass needs every rating at least ${passMinimum} (the program's rule)`;
    }
    if (recommendation === 'extend') {
      const days = Number(extendDays);
      if (!Number.isInteger(days) || days < 1) found.extendDays = 'an extension needs a whole number of days';
      else if (days > 180) found.extendDays = 'at most 180 days';
    }
    return found;
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found = check();
    setLocal(found);
    if (Object.keys(found).length === 0) submit.mutate();
  };

  if (status.isError)
    return <LoadError error={status.error} what="the mentee" retry={() => void status.refetch()} />;
  const server = submit.error instanceof ApiError ? submit.error.fields : {};
  const fields = { ...server, ...local };
  const evaluation = status.data?.evaluations.find((e) => e.number === number);
  return (
    <Page
      title={`Evaluation ${number}${status.data ? ` of ${status.data.menteeId}` : ''}`}
      lead={
        evaluation && (
          <>
            Due <When at={evaluation.dueAt} />
          </>
        )
      }
    >
      <form className="card" onSubmit={onSubmit} noValidate>
        {Object.keys(local).length > 0 && (
          <div className="error-summary" role="alert">
            <p>
              <strong>Not sent:</strong>{' '}
              {Object.keys(local).length === 1
                ? 'one field needs'
                : `${Object.keys(local).length} fields need`}{' '}
              attention.
            </p>
          </div>
        )}
        <ErrorSummary
          error={submit.error}
          shown={[
            'ratings.tasksAndMilestones',
            'ratings.engagement',
            'ratings.progressAgainstPlan',
            'recommendation',
            'extendDays',
            'comments',
            'outcome',
          ]}
        />
        {RATINGS.map((r) => (
          <FieldSet
            key={r.id}
            legend={r.title}
            error={fields[`ratings.${r.id}`]}
            hint="1 (poor) to 5 (excellent)"
          >
            <div className="rating">
              {[1, 2, 3, 4, 5].map((n) => (
                <label key={n} className="rating-choice">
                  <input
                    type="radio"
                    name={r.id}
                    value={n}
                    checked={ratings[r.id] === n}
                    onChange={() => setRatings((x) => ({ ...x, [r.id]: n }))}
                  />
                  <span>{n}</span>
                </label>
              ))}
            </div>
          </FieldSet>
        ))}
        <FieldSet
          legend="Recommendation"
          error={fields.recommendation ?? fields.outcome}
          hint={passMinimum !== null ? `A pass needs every rating at least ${passMinimum}.` : undefined}
        >
          <div className="choices">
            {RECOMMENDATIONS.map((r) => (
              <label key={r.id} className="choice">
                <input
                  type="radio"
                  name="recommendation"
                  value={r.id}
                  checked={recommendation === r.id}
                  onChange={() => setRecommendation(r.id)}
                />
                <span>
                  <strong>{r.title}</strong>
                  {r.hint && <span className="muted"> — {r.hint}</span>}
                </span>
              </label>
            ))}
          </div>
        </FieldSet>
        {recommendation === 'extend' && (
          <Field
            label="Extend by (days)"
            required
            error={fields.extendDays}
            hint={`The program allows ${maxExtension} days of extensions in all`}
          >
            {(p) => (
              <input
                {...p}
                type="number"
                inputMode="numeric"
                min={1}
                max={180}
                value={extendDays}
                onChange={(e) => setExtendDays(e.target.value)}
              />
            )}
          </Field>
        )}
        <Field
          label="Comments"
          error={fields.comments}
          hint="The mentee's admins read them; kept sealed in the workflow"
        >
          {(p) => <textarea {...p} rows={5} value={comments} onChange={(e) => setComments(e.target.value)} />}
        </Field>
        <Button type="submit" pending={submit.isPending} pendingLabel="Sending the evaluation…">
          Send evaluation
        </Button>
      </form>
    </Page>
  );
}
